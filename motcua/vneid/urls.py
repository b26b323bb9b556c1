from django.urls import path

from . import views

app_name = "vneid"
urlpatterns = [
    path("dang-nhap/vneid", views.login_start, name="login"),
    path("dang-nhap/vneid/ket-qua", views.login_callback, name="callback"),
    path("dang-nhap/vneid/dong-y", views.login_consent, name="consent"),
]

simulator_patterns = (
    [
        path("", views.sim_root, name="root"),
        path(".well-known/openid-configuration", views.sim_discovery, name="discovery"),
        path("jwks", views.sim_jwks, name="jwks"),
        path("dang-nhap", views.sim_authorize, name="authorize"),
        path("token", views.sim_token, name="token"),
    ],
    "vneid_sim",
)
