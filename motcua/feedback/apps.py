from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.feedback"
    verbose_name = _("Phản ánh, kiến nghị và đánh giá")

    def ready(self):
        from motcua.dossiers.workflow import register_guard

        from .services import publish_consent_guard

        # The feedback workflow's "publish" action names this guard: an answer goes public only with consent.
        register_guard("publish_consent", publish_consent_guard)

        import datetime as dt

        from motcua.core.periodic import register_periodic

        from .tasks import escalate_overdue

        # Overdue items reach the unit's leaders within 15 minutes, once each (services.feedback_escalate).
        register_periodic("feedback.escalate", task=escalate_overdue, every=dt.timedelta(minutes=15))

        from motcua.accounts.privacy import register_personal_data

        from .selectors import personal_feedback_export

        # What the person sent is part of their personal-data export (Decree 13/2023/NĐ-CP Art. 14).
        register_personal_data("feedback", export=personal_feedback_export)

        from motcua.calendars.followers import CalendarFollower, register_calendar_follower

        from .services import feedback_calendar_changed

        # A day off added or removed moves the deadlines of the open items it touches, like dossiers'.
        register_calendar_follower(CalendarFollower(changed=feedback_calendar_changed))
