from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.payments"
    verbose_name = _("Thanh toán phí, lệ phí")

    def ready(self):
        # The engine runs this for actions whose workflow data say "requires_payment": true.
        from motcua.dossiers.effects import register_on_coded, register_on_event, register_on_submitted
        from motcua.dossiers.workflow import register_guard

        from .guards import payment_guard
        from .services import intents_cancel_on_end, intents_follow_code, intents_open_for_fee

        register_guard("payment", payment_guard)
        # A submitted dossier that owes a fee gets its payment intents in the submission's transaction.
        register_on_submitted("payments", intents_open_for_fee)
        # … with references made from the provisional code until the real one is given (last).
        register_on_coded("payments", intents_follow_code)
        # A dossier refused, withdrawn or stopped owes nothing more: its pending intents are cancelled.
        register_on_event("payments", intents_cancel_on_end)

        # Lost notifications, expiry, stored-but-unprocessed callbacks, failed receipts (docs/payments.md).
        import datetime as dt

        from motcua.core.periodic import register_periodic

        from .tasks import poll_providers

        register_periodic("payments.poll", task=poll_providers, every=dt.timedelta(minutes=5))
