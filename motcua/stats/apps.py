import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.stats"
    verbose_name = _("Số liệu thống kê")

    def ready(self):
        # The counters move in the transaction of the change that moves them (docs/decisions/0004).
        from motcua.dossiers.effects import register_on_event, register_on_rated, register_on_submitted

        from .rollups import count_event, count_rating, note_submission

        register_on_submitted("stats", note_submission)
        register_on_event("stats", count_event)
        register_on_rated("stats", count_rating)

        from motcua.core.periodic import register_periodic

        from .tasks import stats_snapshot

        # The dossiers open at each day's end (766 indicator 2.1), taken once a local day after midnight, with
        # catch-up of the days missed while stopped (docs/stats.md).
        register_periodic("stats.snapshot", task=stats_snapshot, daily_at=dt.time(0, 20))
