from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap", views.login_view, name="login"),
    path("dang-nhap/ma-xac-thuc", views.login_totp_view, name="login_totp"),
    path("dang-xuat", views.logout_view, name="logout"),
    path("tai-khoan", views.account_view, name="account"),
    path("tai-khoan/doi-mat-khau", views.password_change_view, name="password_change"),
    path("tai-khoan/xac-thuc-hai-buoc", views.totp_setup_view, name="totp_setup"),
]
