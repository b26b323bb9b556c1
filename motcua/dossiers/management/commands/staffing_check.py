from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.staffing import staffing_gaps


class Command(BaseCommand):
    help = "Kiểm tra mỗi Bộ phận Một cửa có đủ người cho các vai trò quy trình cần (tiếp nhận → trả kết quả)."

    def handle(self, *args, **options):
        gaps = staffing_gaps()
        for gap in gaps:
            self.stdout.write(self.style.WARNING(gap.message()))
        if gaps:
            raise CommandError(f"{len(gaps)} nơi tiếp nhận có hồ sơ sẽ bị kẹt vì thiếu người.")
        self.stdout.write(self.style.SUCCESS("Mọi nơi tiếp nhận đều đủ người để giải quyết hồ sơ đến cùng."))
