from django.core.management.base import BaseCommand, CommandError

from motcua.calendars.selectors import deadline_query
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = "Tính thời điểm hẹn trả kết quả theo lịch làm việc; dòng cuối là thời điểm dạng ISO 8601."

    def add_arguments(self, parser):
        parser.add_argument("--received", required=True, help="thời điểm tiếp nhận, ví dụ 2026-02-13T16:00")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--working-days", type=int, help="số ngày làm việc")
        group.add_argument("--working-hours", type=float, help="số giờ làm việc")
        group.add_argument("--same-day", action="store_true", help="giải quyết trong ngày (mốc 15:00)")
        parser.add_argument("--office", help="mã cơ quan (mặc định: lịch chung)")

    def handle(self, *args, **options):
        try:
            result = deadline_query(
                received=options["received"],
                working_days=options["working_days"],
                working_hours=options["working_hours"],
                same_day=options["same_day"],
                office_code=options["office"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Tiếp nhận: {result['received_at']:%H:%M %d/%m/%Y}")
        self.stdout.write(f"Bắt đầu tính: {result['counted_from']:%H:%M %d/%m/%Y}")
        self.stdout.write(f"Hẹn trả: {result['due_at']:%H:%M %d/%m/%Y}")
        self.stdout.write(result["due_at"].isoformat())
