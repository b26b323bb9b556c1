from django.urls import path

from . import assisted_views, views

app_name = "outreach"
urlpatterns = [
    path("to-cong-nghe/", views.home, name="home"),
    path("to-cong-nghe/ghi-nhan", views.record_form, name="record"),
    path("to-cong-nghe/sw.js", views.service_worker, name="sw"),
    path("to-cong-nghe/to/<int:team_id>", views.team_progress, name="progress"),
    path("to-cong-nghe/to/<int:team_id>/xuat", views.team_export, name="export"),
    path("to-cong-nghe/to/<int:team_id>/nhap-thanh-vien", views.members_import, name="import"),
    path("to-cong-nghe/ra-soat", views.review, name="review"),
    path("to-cong-nghe/ho-tro-nop", assisted_views.start, name="assisted_start"),
    path("to-cong-nghe/ho-tro-nop/<int:draft_id>", assisted_views.fill, name="assisted_fill"),
    path("to-cong-nghe/ho-tro-nop/<int:draft_id>/xac-nhan", assisted_views.confirm, name="assisted_confirm"),
    path("to-cong-nghe/chien-dich/<int:campaign_id>", views.campaign_progress, name="campaign"),
]
