"""Rewrite the rollups from the dossiers and their events, and the open-at-day-end snapshots from the
dossiers (after a bulk load, or to repair what stats_verify reported). Run on a quiet system: changes made
while it runs may be counted twice or lost.

    python manage.py stats_rebuild [--unit CODE]
"""

from django.core.management.base import BaseCommand

from motcua.stats import openday
from motcua.stats.rollups import rebuild, rebuild_sql

from .stats_verify import unit_ids


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu tổng hợp từ hồ sơ và nhật ký."

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="mã đơn vị (gồm cả các đơn vị trực thuộc)")
        parser.add_argument(
            "--sql", action="store_true", help="tính trong PostgreSQL (bảng rất lớn); cùng câu truy vấn GROUP BY"
        )

    def handle(self, *args, **options):
        ids = unit_ids(options["unit"])
        rows = (rebuild_sql if options["sql"] else rebuild)(unit_ids=ids)
        self.stdout.write(f"Đã ghi {rows} dòng số liệu theo ngày.")
        rows = openday.rebuild(unit_ids=ids)
        self.stdout.write(f"Đã ghi {rows} dòng số hồ sơ còn mở cuối ngày.")
