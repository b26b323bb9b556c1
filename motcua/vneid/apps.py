from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VneidConfig(AppConfig):
    name = "motcua.vneid"
    label = "vneid"
    verbose_name = _("Đăng nhập VNeID")

    def ready(self):
        import os

        from django.conf import settings

        # Authlib refuses plain HTTP except on loopback addresses. A demo served to phones on the local
        # network (HOST=0.0.0.0) talks to its own simulator over HTTP; outside demo mode nothing changes.
        if settings.DEMO and settings.VNEID_ISSUER.startswith("http://"):
            os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
