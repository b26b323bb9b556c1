from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from motcua.demo import data as demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (chỉ ở chế độ thử nghiệm MOTCUA_DEMO=1). Chạy lại không tạo bản trùng."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-progress", action="store_true")

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("seed_demo chỉ chạy ở chế độ thử nghiệm: đặt MOTCUA_DEMO=1.")
        call_command("load_units", quiet_progress=options["quiet_progress"], stdout=self.stdout, stderr=self.stderr)
        call_command("catalog_import", quiet_progress=options["quiet_progress"], stdout=self.stdout, stderr=self.stderr)
        communes = demo.seed_places(settings.DEMO_PROVINCE_CODE)
        demo.seed_accounts(communes, settings.DEMO_PROVINCE_CODE)
        demo.seed_outreach(communes)
        call_command("pki_demo_init", stdout=self.stdout)
        for hook in demo_hooks():
            hook(self.stdout)
        from motcua.dossiers.staffing import staffing_gaps

        for gap in staffing_gaps():
            self.stdout.write(self.style.WARNING(gap.message()))
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu mẫu."))
        self.stdout.write(demo_logins_text())


def demo_hooks():
    """Other apps add their demo data here (calendar overrides, catalog, …)."""
    from motcua.broadcasts.demo import seed_broadcasts
    from motcua.feedback.demo import seed_feedback
    from motcua.hotline.demo import seed_hotline
    from motcua.payments.demo import seed_payment_accounts

    return [seed_payment_accounts, seed_hotline, seed_feedback, seed_broadcasts]


def demo_logins_text() -> str:
    lines = [f"Tài khoản thử nghiệm (mật khẩu: {demo.DEMO_PASSWORD}):"]
    lines += [f"  {a.username:<11} {a.full_name} — {a.description}" for a in demo.DEMO_ACCOUNTS]
    return "\n".join(lines)
