from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "In địa chỉ được đưa vào mã QR, tin nhắn, phiếu và kết quả (SITE_URL)."

    def handle(self, *args, **options):
        self.stdout.write(f"Địa chỉ đưa vào giấy tờ (mã QR, tin nhắn SMS, phiếu hẹn, kết quả): {settings.SITE_URL}")
        if "127.0.0.1" in settings.SITE_URL or "localhost" in settings.SITE_URL:
            self.stdout.write(
                "  (chỉ máy này mở được; để điện thoại quét mã QR, chạy với HOST=0.0.0.0 hoặc đặt SITE_URL)"
            )
