"""Take the snapshot of the dossiers open at the end of each day (766 indicator 2.1; docs/stats.md).

python manage.py stats_snapshot                       # every day due, as the periodic job does
python manage.py stats_snapshot --from 2026-11-01 --to 2026-11-29   # (re)take these days
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.stats.openday import snapshot_day, snapshot_due

from .stats_verify import parse_day


class Command(BaseCommand):
    help = "Chụp số hồ sơ còn mở cuối mỗi ngày (trong hạn, quá hạn) theo đơn vị và thủ tục."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", help="từ ngày YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="đến ngày YYYY-MM-DD (trước hôm nay)")

    def handle(self, *args, **options):
        date_from, date_to = parse_day(options["date_from"]), parse_day(options["date_to"])
        if date_from is None and date_to is None:
            days = snapshot_due()
        else:
            yesterday = timezone.localdate() - dt.timedelta(days=1)
            date_from, date_to = date_from or date_to, date_to or date_from
            if date_from > date_to:
                raise CommandError("--from phải trước hoặc bằng --to")
            if date_to > yesterday:
                raise CommandError(f"Chỉ chụp được các ngày đã qua (đến {yesterday:%d/%m/%Y})")
            days = [date_from + dt.timedelta(days=n) for n in range((date_to - date_from).days + 1)]
            for day in days:
                snapshot_day(day=day)
        if days:
            self.stdout.write(f"Đã chụp {len(days)} ngày: {days[0]:%d/%m/%Y}–{days[-1]:%d/%m/%Y}.")
        else:
            self.stdout.write("Không còn ngày nào cần chụp.")
