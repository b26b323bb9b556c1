from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("gia-lap/hop-thu", views.demo_inbox, name="demo_inbox"),
]
