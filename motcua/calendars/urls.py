from django.urls import path

from . import views

app_name = "calendars"
urlpatterns = [
    path("lich-lam-viec", views.public_year, name="year_current"),
    path("lich-lam-viec/<int:year>", views.public_year, name="year"),
    path("can-bo/lich-lam-viec", views.manage, name="manage"),
    path("can-bo/lich-lam-viec/<int:pk>/xoa", views.delete, name="delete"),
]
