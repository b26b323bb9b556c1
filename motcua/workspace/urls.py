from django.urls import path

from . import assisted_views, dossier_views, views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("ho-so", dossier_views.worklist, name="worklist"),
    path("ho-so/<str:code>", dossier_views.dossier, name="dossier"),
    path("ho-so/<str:code>/thao-tac", dossier_views.act, name="act"),
    path("tiep-nhan", dossier_views.counter_intake, name="counter_intake"),
    path("ho-tro-nop/giay-dong-y", assisted_views.paper_consents, name="paper_consents"),
    path("ho-tro-nop/giay-dong-y/<int:draft_id>", assisted_views.paper_consent_file, name="paper_consent_file"),
]
