"""python manage.py payments_poll — the periodic job: ask providers about pending payments, expire old
intents, finish interrupted callbacks and receipts. Run it every few minutes (cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from motcua.payments.services import payments_poll


class Command(BaseCommand):
    help = "Hỏi trạng thái các khoản đang chờ thanh toán, cho hết hạn khoản quá hạn, hoàn tất biên lai."

    def handle(self, *args, **options):
        report = payments_poll()
        self.stdout.write(
            f"Đã hỏi {report.asked}, xác nhận {report.confirmed}, hết hạn {report.expired}, "
            f"xử lý lại {report.reprocessed} thông báo, {report.receipts} biên lai"
        )
