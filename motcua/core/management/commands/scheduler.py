"""python manage.py scheduler [--once] [--interval SECONDS] — enqueue the registered periodic jobs
(``motcua.core.periodic``), each once per slot even with several schedulers; the task worker
(``manage.py db_worker``) runs them. Old claims (> 30 days) are pruned once a day."""

import datetime as dt
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from motcua.core.models import PeriodicRun
from motcua.core.periodic import periodic_jobs, periodic_tick


class Command(BaseCommand):
    help = "Xếp các công việc định kỳ vào hàng đợi của worker (mỗi kỳ một lần, kể cả khi chạy nhiều bộ lập lịch)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="một lượt rồi dừng (cho cron)")
        parser.add_argument("--interval", type=float, default=30.0, help="số giây giữa hai lượt (mặc định 30)")

    def handle(self, *args, once=False, interval=30.0, **options):
        names = ", ".join(f"{j.name} ({j.every or j.daily_at})" for j in periodic_jobs())
        self.stdout.write(f"periodic jobs: {names or '-'}")
        pruned_on = None
        while True:
            for name in periodic_tick():
                self.stdout.write(f"{timezone.localtime():%d/%m/%Y %H:%M:%S} enqueued {name}")
            today = timezone.localdate()
            if pruned_on != today:
                PeriodicRun.objects.filter(claimed_at__lt=timezone.now() - dt.timedelta(days=30)).delete()
                pruned_on = today
            if once:
                return
            time.sleep(interval)
