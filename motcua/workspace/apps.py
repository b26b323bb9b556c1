from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "motcua.workspace"
    label = "workspace"
    verbose_name = _("Bàn làm việc cán bộ")
