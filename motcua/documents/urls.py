from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("xac-thuc", views.verify, name="verify_upload"),
    path("xac-thuc/<str:public_code>", views.verify, name="verify"),
    path("pki/crl/root.crl", views.crl, name="crl"),
    path("pki/roots.pem", views.roots, name="roots"),
    path("ho-so/<str:code>/ket-qua/<str:public_code>.pdf", views.result_download, name="result"),
    path("can-bo/ho-so/<str:code>/ket-qua/xem-truoc.pdf", views.result_preview, name="result_preview"),
    path("can-bo/ho-so/<str:code>/ket-qua/<str:public_code>/trang-thai", views.result_status, name="result_status"),
    path("kho-du-lieu", views.store, name="store"),
    path("kho-du-lieu/<int:pk>/tai-ve", views.store_download, name="store_download"),
    path("kho-du-lieu/<int:pk>/chia-se", views.store_share, name="store_share"),
    path("kho-du-lieu/chia-se/<int:link_id>/thu-hoi", views.store_unshare, name="store_unshare"),
    path("chia-se/<str:token>", views.shared, name="shared"),
]
