from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "motcua.reports"
    label = "reports"
    verbose_name = _("Báo cáo và xuất dữ liệu")

    def ready(self):
        import datetime as dt

        from motcua.core.periodic import register_periodic

        from . import tables  # noqa: F401 — registers the dashboard tables and the periodic report
        from .tasks import exports_prune_old

        register_periodic("reports.prune", task=exports_prune_old, daily_at=dt.time(2, 0))
