from django.urls import path

from . import privacy_views, signup_views, views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap", views.login_view, name="login"),
    path("dang-nhap/ma-xac-thuc", views.login_totp_view, name="login_totp"),
    path("dang-xuat", views.logout_view, name="logout"),
    path("dang-ky", signup_views.register_view, name="register"),
    path("dang-ky/xac-nhan", signup_views.register_confirm_view, name="register_confirm"),
    path("quen-mat-khau", signup_views.password_reset_view, name="password_reset"),
    path("quen-mat-khau/xac-nhan", signup_views.password_reset_confirm_view, name="password_reset_confirm"),
    path("kich-hoat/<str:uid>/<str:token>", signup_views.activate_view, name="activate"),
    path("tai-khoan", views.account_view, name="account"),
    path("tai-khoan/doi-mat-khau", views.password_change_view, name="password_change"),
    path("tai-khoan/xac-thuc-hai-buoc", views.totp_setup_view, name="totp_setup"),
    path("tai-khoan/du-lieu-ca-nhan", privacy_views.personal_data_view, name="personal_data"),
    path("tai-khoan/du-lieu-ca-nhan.json", privacy_views.personal_data_json, name="personal_data_json"),
    path("tai-khoan/du-lieu-ca-nhan.pdf", privacy_views.personal_data_pdf, name="personal_data_pdf"),
    path("tai-khoan/dong-tai-khoan", privacy_views.close_account_view, name="close_account"),
]
