from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.payments"
    verbose_name = _("Thanh toán phí, lệ phí")
