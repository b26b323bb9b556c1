from django.core.management.base import BaseCommand

from motcua.dossiers.deadlines import recalculation_process, recalculations_pending


class Command(BaseCommand):
    help = "Làm tiếp các lần tính lại hạn giải quyết chưa xong (ví dụ khi worker bị dừng giữa chừng)."

    def handle(self, *args, **options):
        runs = list(recalculations_pending())
        for run in runs:
            run = recalculation_process(run_id=run.pk)
            self.stdout.write(
                f"#{run.pk} {run.day:%d/%m/%Y} {run.unit or 'toàn quốc'}: "
                f"đã kiểm tra {run.processed}/{run.total}, đổi hạn {run.changed}"
            )
        if not runs:
            self.stdout.write("Không có lần tính lại nào đang chờ.")
