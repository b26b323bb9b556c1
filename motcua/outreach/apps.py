from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "motcua.outreach"
    label = "outreach"
    verbose_name = _("Tổ công nghệ số cộng đồng")

    def ready(self) -> None:
        # The engine calls this app on each submission; the engine never imports it (layers).
        from motcua.dossiers.effects import register_on_submitted

        from .services import dossier_submitted

        register_on_submitted("outreach", dossier_submitted)
