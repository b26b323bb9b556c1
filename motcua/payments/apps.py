from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.payments"
    verbose_name = _("Thanh toán phí, lệ phí")

    def ready(self):
        # The engine runs this for actions whose workflow data say "requires_payment": true.
        from motcua.dossiers.workflow import register_guard

        from .guards import payment_guard

        register_guard("payment", payment_guard)
