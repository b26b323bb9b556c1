import time

from django.core.management.base import BaseCommand

from motcua.notifications.services import deliver_due


class Command(BaseCommand):
    help = (
        "Gửi các thông báo đã đến lượt (chạy định kỳ cạnh worker, phòng khi hàng đợi bị gián đoạn). "
        "--loop: chạy liên tục, nghỉ --interval giây giữa các lượt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, **options):
        while True:
            count = deliver_due()
            self.stdout.write(f"Đã xử lý {count} thông báo.")
            self.stdout.flush()
            if not options["loop"]:
                return
            time.sleep(options["interval"])
