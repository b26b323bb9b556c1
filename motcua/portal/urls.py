from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tim-kiem", views.search, name="search"),
    path("thu-tuc/<str:code>", views.procedure, name="procedure"),
    path("linh-vuc/<slug:slug>", views.field, name="field"),
    path("lien-he", views.contacts, name="contacts"),
    path("tro-ly", views.assistant, name="assistant"),
]
