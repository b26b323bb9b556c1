from django.contrib import admin
from django.urls import include, path

from motcua.api.api import api
from motcua.core.views import healthz
from motcua.vneid.urls import simulator_patterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("quan-tri/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("can-bo/", include("motcua.workspace.urls")),
    path("", include("motcua.calendars.urls")),
    path("", include("motcua.documents.urls")),
    path("", include("motcua.outreach.urls")),
    path("", include("motcua.vneid.urls")),
    # The VNeID provider simulator: every view answers 404 outside demo mode.
    path("gia-lap/vneid/", include(simulator_patterns)),
    path("", include("motcua.payments.urls")),
    path("", include("motcua.feedback.urls")),
    path("", include("motcua.accounts.urls")),
    path("", include("motcua.notifications.urls")),
    path("", include("motcua.portal.urls")),
]
