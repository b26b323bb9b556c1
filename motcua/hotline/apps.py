from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.hotline"
    label = "hotline"
    verbose_name = _("Đường dây nóng")

    def ready(self):
        import datetime as dt

        from motcua.core.periodic import register_periodic

        from .tasks import mask_expired_phones

        # Callers' phone numbers are kept in full for RETENTION_DAYS, then masked (docs/hotline.md).
        register_periodic("hotline.mask_phones", task=mask_expired_phones, daily_at=dt.time(2, 0))
