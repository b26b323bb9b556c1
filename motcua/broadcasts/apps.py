from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BroadcastsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.broadcasts"
    label = "broadcasts"
    verbose_name = _("Phát tin tới thôn, bản")

    def ready(self):
        # The demo inbox (/gia-lap/hop-thu) shows what the Zalo simulator posted, beside SMS and e-mail.
        from motcua.notifications.selectors import register_demo_source

        from .selectors import demo_zalo_posts

        register_demo_source(demo_zalo_posts)
