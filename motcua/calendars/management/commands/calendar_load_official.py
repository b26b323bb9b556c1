from django.core.management.base import BaseCommand

from motcua.calendars.services import official_overrides_load


class Command(BaseCommand):
    help = "Nạp các ngày nghỉ, ngày làm bù chính thức đi kèm mã nguồn (calendars/data/official_overrides.json)."

    def handle(self, *args, **options):
        count = official_overrides_load()
        self.stdout.write(f"Đã nạp {count} mục lịch chính thức.")
