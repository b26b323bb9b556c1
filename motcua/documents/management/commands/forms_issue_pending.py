"""Complete forms recorded at their events whose rendering or signing was interrupted (a crash right
after the commit): each is rendered from the facts frozen at its event and stored once."""

from django.core.management.base import BaseCommand

from motcua.documents.forms import forms_complete
from motcua.documents.models import IssuedForm


class Command(BaseCommand):
    help = "Cấp nốt các phiếu đã ghi nhận tại sự kiện nhưng chưa kịp ký, lưu"

    def handle(self, *args, **options):
        ids = list(IssuedForm.objects.filter(sha256="").order_by("pk").values_list("pk", flat=True))
        forms_complete(ids)
        left = IssuedForm.objects.filter(sha256="").count()
        self.stdout.write(f"Đã cấp {len(ids) - left} phiếu; còn {left} phiếu chưa cấp được.")
