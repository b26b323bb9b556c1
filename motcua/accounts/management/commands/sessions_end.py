"""End every session and API token of an account (the admin has the same action)."""

from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import User
from motcua.accounts.services import sessions_end_all


class Command(BaseCommand):
    help = "Kết thúc mọi phiên đăng nhập và mã truy cập API của một tài khoản."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username!r}")
        sessions_end_all(user=user)
        self.stdout.write(f"{user.username}: đã kết thúc mọi phiên")
