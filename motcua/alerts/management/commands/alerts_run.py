"""python manage.py alerts_run — one pass of the deadline alert job, here and now (docs/dashboards.md).

Normally the scheduler (`manage.py scheduler`) enqueues `alerts.scan` every 15 minutes and the worker runs
it; this command is for a machine without them (cron) or a run by hand. Running it while the worker runs
the same pass sends nothing twice."""

from django.core.management.base import BaseCommand

from motcua.alerts.services import alerts_run


class Command(BaseCommand):
    help = "Gửi cảnh báo hồ sơ sắp đến hạn, quá hạn, nhắc gửi văn bản xin lỗi và tóm tắt buổi sáng cho lãnh đạo."

    def handle(self, *args, **options):
        report = alerts_run()
        self.stdout.write(
            f"Sắp đến hạn {report.due_soon}, quá hạn {report.overdue}, nhắc xin lỗi {report.apology}, "
            f"tóm tắt {report.digest}; đã gửi trước đó {report.skipped}; {report.messages} tin nhắn"
        )
