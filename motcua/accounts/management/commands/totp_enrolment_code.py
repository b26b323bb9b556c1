"""Issue an officer's one-time TOTP enrolment code (the admin has the same action)."""

from django.core.management.base import BaseCommand, CommandError

from motcua.accounts.models import User
from motcua.accounts.services import totp_enrolment_code_issue


class Command(BaseCommand):
    help = "Cấp mã đăng ký xác thực hai bước một lần cho một cán bộ (ứng dụng cũ của người đó ngừng hoạt động)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username!r}")
        code = totp_enrolment_code_issue(user=user)
        self.stdout.write(f"{user.username}: {code}")
