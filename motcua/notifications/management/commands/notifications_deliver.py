from django.core.management.base import BaseCommand

from motcua.notifications.services import deliver_due


class Command(BaseCommand):
    help = "Gửi các thông báo đã đến lượt (chạy định kỳ cạnh worker, phòng khi hàng đợi bị gián đoạn)."

    def handle(self, *args, **options):
        count = deliver_due()
        self.stdout.write(f"Đã xử lý {count} thông báo.")
