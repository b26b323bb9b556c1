from django.urls import path

from . import assisted_views, broadcast_views, dossier_views, hotline_views, stats_views, views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path("ho-so", dossier_views.worklist, name="worklist"),
    path("ho-so/<str:code>", dossier_views.dossier, name="dossier"),
    path("ho-so/<str:code>/thao-tac", dossier_views.act, name="act"),
    path("tiep-nhan", dossier_views.counter_intake, name="counter_intake"),
    path("so-lieu", stats_views.stats_home, name="stats_home"),
    path("so-lieu/<str:code>", stats_views.stats_unit, name="stats_unit"),
    path("so-lieu/<str:code>/thu-tuc/<str:procedure>", stats_views.stats_procedure, name="stats_procedure"),
    path("so-lieu/<str:code>/ho-so", stats_views.stats_dossiers, name="stats_dossiers"),
    path("bao-cao", stats_views.report, name="stats_report"),
    path("xuat", stats_views.export_create, name="export_create"),
    path("xuat/<uuid:pk>", stats_views.export_status, name="export_status"),
    path("xuat/<uuid:pk>/tai-ve", stats_views.export_download, name="export_download"),
    path("ho-tro-nop/giay-dong-y", assisted_views.paper_consents, name="paper_consents"),
    path("ho-tro-nop/giay-dong-y/<int:draft_id>", assisted_views.paper_consent_file, name="paper_consent_file"),
    path("duong-day-nong", hotline_views.hotline_home, name="hotline"),
    path("duong-day-nong/ghi", hotline_views.call_new, name="hotline_call_new"),
    path("duong-day-nong/lich-truc", hotline_views.roster, name="hotline_roster"),
    path("duong-day-nong/lich-truc/phan-cong", hotline_views.roster_assign, name="hotline_roster_assign"),
    path("duong-day-nong/<int:pk>", hotline_views.call_detail, name="hotline_call"),
    path("phat-tin", broadcast_views.broadcasts, name="broadcasts"),
    path("phat-tin/moi", broadcast_views.broadcast_new, name="broadcast_new"),
    path("phat-tin/<int:pk>", broadcast_views.broadcast_detail, name="broadcast"),
]
