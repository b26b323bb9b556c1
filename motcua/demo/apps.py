from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo's data and commands (seed_demo, demo_logins): above every domain app, which it fills."""

    name = "motcua.demo"
    label = "demo"
    verbose_name = _("Dữ liệu mẫu")
