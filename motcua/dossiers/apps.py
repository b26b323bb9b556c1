from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self):
        from motcua.accounts.privacy import register_personal_data
        from motcua.calendars.followers import CalendarFollower, register_calendar_follower
        from motcua.places.warnings import register_office_warnings

        from . import checks  # noqa: F401 — registers the staffing system check
        from .deadlines import calendar_follow, recalculation_message
        from .selectors import due_recalculations_of, personal_dossiers_export
        from .staffing import staffing_warnings

        register_personal_data("dossiers", export=personal_dossiers_export)
        register_office_warnings(staffing_warnings)
        register_calendar_follower(
            CalendarFollower(changed=calendar_follow, message=recalculation_message, recent=due_recalculations_of)
        )
