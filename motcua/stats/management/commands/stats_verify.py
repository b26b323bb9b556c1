"""Recompute the rollups from the dossiers and their events, and the open-at-day-end snapshots of the days
taken from the dossiers, and list every difference (exit 1 if any).

python manage.py stats_verify [--unit CODE] [--from YYYY-MM-DD --to YYYY-MM-DD]
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from motcua.places.models import AdministrativeUnit
from motcua.stats import openday
from motcua.stats.rollups import differences


def parse_day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ: {value} (dạng 2026-11-30)") from None


def unit_ids(code: str | None) -> list[int] | None:
    if not code:
        return None
    unit = AdministrativeUnit.objects.filter(code=code, valid_to__isnull=True).first()
    if unit is None:
        raise CommandError(f"Không có đơn vị mã {code}")
    return list(AdministrativeUnit.objects.within([unit]).values_list("pk", flat=True))


class Command(BaseCommand):
    help = "Đối chiếu số liệu tổng hợp với hồ sơ và nhật ký; liệt kê chỗ lệch, thoát mã 1 nếu có."

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="mã đơn vị (gồm cả các đơn vị trực thuộc)")
        parser.add_argument("--from", dest="date_from", help="từ ngày YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="đến ngày YYYY-MM-DD")
        parser.add_argument("--limit", type=int, default=200, help="in tối đa bấy nhiêu chỗ lệch")

    def handle(self, *args, **options):
        date_from, date_to = parse_day(options["date_from"]), parse_day(options["date_to"])
        if date_from and date_to and date_from > date_to:
            raise CommandError("--from phải trước hoặc bằng --to")
        ids = unit_ids(options["unit"])
        found = differences(unit_ids=ids, date_from=date_from, date_to=date_to)
        found += openday.differences(unit_ids=ids, date_from=date_from, date_to=date_to)
        if not found:
            self.stdout.write("Số liệu tổng hợp khớp với hồ sơ: không có chỗ lệch.")
            return
        for line in found[: options["limit"]]:
            self.stdout.write(line)
        if len(found) > options["limit"]:
            self.stdout.write(f"… và {len(found) - options['limit']} chỗ lệch khác")
        self.stderr.write(f"{len(found)} chỗ lệch")
        raise SystemExit(1)
