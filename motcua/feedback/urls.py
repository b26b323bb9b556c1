from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("phan-anh/", views.public_list, name="public"),
    path("phan-anh/gui", views.submit, name="submit"),
    path("phan-anh/xac-nhan", views.confirm, name="confirm"),
    path("phan-anh/da-gui", views.done, name="done"),
    path("phan-anh/cua-toi", views.mine, name="mine"),
    path("phan-anh/<str:code>", views.detail, name="detail"),
    path("phan-anh/<str:code>/danh-gia", views.rate, name="rate"),
    path("phan-anh/<str:code>/bo-sung", views.supplement, name="supplement"),
    path("phan-anh/<str:code>/tep/<uuid:pk>", views.attachment, name="attachment"),
    path("danh-gia/<str:code>/<str:token>", views.rate_dossier, name="rate_dossier"),
    path("can-bo/phan-anh/", views.worklist, name="worklist"),
    path("can-bo/phan-anh/<str:code>", views.officer_detail, name="officer_detail"),
    path("can-bo/phan-anh/<str:code>/thao-tac", views.act, name="act"),
]
