import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "motcua.alerts"
    label = "alerts"
    verbose_name = _("Cảnh báo thời hạn")

    def ready(self):
        from motcua.core.periodic import register_periodic

        from .tasks import alerts_scan

        # Enqueued once per 15-minute slot by `manage.py scheduler`, run by the worker (docs/dashboards.md).
        register_periodic("alerts.scan", task=alerts_scan, every=dt.timedelta(minutes=15))
