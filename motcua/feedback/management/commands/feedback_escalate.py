from django.core.management.base import BaseCommand

from motcua.feedback.services import feedback_escalate_overdue


class Command(BaseCommand):
    help = "Báo lãnh đạo các phản ánh, kiến nghị quá hạn (mỗi phản ánh một lần)."

    def handle(self, *args, **options):
        count = feedback_escalate_overdue()
        self.stdout.write(f"Đã báo lãnh đạo {count} phản ánh quá hạn.")
