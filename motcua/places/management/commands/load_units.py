from django.core.management.base import BaseCommand
from tqdm import tqdm

from motcua.places.services import REFORM_2025_START, official_unit_rows, units_load


class Command(BaseCommand):
    help = "Nạp danh mục tỉnh và xã hiện hành (từ gói vietnam-provinces). Chạy lại không tạo bản trùng."

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", help="chỉ nạp tỉnh có mã này (có thể lặp lại)")
        parser.add_argument("--quiet-progress", action="store_true", help="không hiện thanh tiến độ")

    def handle(self, *args, **options):
        import vietnam_provinces

        rows = official_unit_rows(options["province"])
        source = f"vietnam-provinces {vietnam_provinces.__version__} ({vietnam_provinces.__data_version__})"
        with tqdm(total=len(rows), unit=" đơn vị", disable=options["quiet_progress"], file=self.stderr) as bar:
            report = units_load(rows=rows, source=source, valid_from=REFORM_2025_START, progress=bar.update)
        self.stdout.write(
            f"Đã nạp {len(rows)} đơn vị: {report.created} mới, {report.updated} cập nhật, {report.unchanged} không đổi."
        )
