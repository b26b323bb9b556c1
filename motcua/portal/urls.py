from django.urls import path

from . import broadcast_views, dossier_views, inbox_views, public_stats_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tim-kiem", views.search, name="search"),
    path("thu-tuc/<str:code>", views.procedure, name="procedure"),
    path("thu-tuc/<str:code>/nop-truc-tuyen", dossier_views.submit_form, name="submit"),
    path("ho-so/nhap/<int:draft_id>/giay-to", dossier_views.submit_documents, name="submit_documents"),
    path("ho-so/nhap/<int:draft_id>/kiem-tra", dossier_views.submit_check, name="submit_check"),
    path("ho-so", dossier_views.my_dossiers, name="my_dossiers"),
    path("ho-so/tep/<uuid:pk>", dossier_views.attachment_download, name="attachment"),
    path("ho-so/<str:code>", dossier_views.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/phieu/<str:form>.pdf", dossier_views.dossier_form_pdf, name="dossier_form"),
    path("ho-so/<str:code>/phieu/<str:form>/<int:pk>.pdf", dossier_views.dossier_form_pdf, name="dossier_form_issued"),
    path("tra-cuu", dossier_views.track, name="track"),
    path("linh-vuc/<slug:slug>", views.field, name="field"),
    path("lien-he", views.contacts, name="contacts"),
    path("cong-khai", public_stats_views.public_stats, name="public_stats"),
    path("cong-khai/cach-tinh", public_stats_views.public_stats_method, name="public_stats_method"),
    path("tro-ly", views.assistant, name="assistant"),
    path("hop-thu", inbox_views.inbox, name="inbox"),
    path("nhan-tin-thon", broadcast_views.subscriptions, name="broadcast_subscriptions"),
    path("gia-lap/tin-nhan-den", broadcast_views.inbound_sms_simulator, name="inbound_sms_simulator"),
    path("hop-thu/da-doc", inbox_views.inbox_read_all, name="inbox_read_all"),
    path("hop-thu/<int:pk>", inbox_views.inbox_message, name="inbox_message"),
    path("hop-thu/<int:pk>/da-doc", inbox_views.inbox_read, name="inbox_read"),
]
