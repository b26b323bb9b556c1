from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "motcua.reports"
    label = "reports"
    verbose_name = _("Báo cáo và xuất dữ liệu")

    def ready(self):
        from . import tables  # noqa: F401 — registers the dashboard tables and the periodic report
