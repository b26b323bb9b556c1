from django.core.management.base import BaseCommand

from .seed_demo import demo_logins_text


class Command(BaseCommand):
    help = "In danh sách tài khoản thử nghiệm."

    def handle(self, *args, **options):
        self.stdout.write(demo_logins_text())
