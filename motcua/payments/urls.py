from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<str:code>/thanh-toan", views.pay, name="pay"),
    path("ho-so/<str:code>/bien-lai/<int:pk>.pdf", views.receipt, name="receipt"),
    path("thanh-toan/mo-phong/cong", views.gateway_simulator, name="gateway_simulator"),
    path("thanh-toan/ket-qua/<str:provider>", views.gateway_return, name="gateway_return"),
    path("can-bo/thanh-toan", views.cashier, name="cashier"),
    path("can-bo/ho-so/<str:code>/phi", views.fee_set, name="fee_set"),
    path("can-bo/thanh-toan/doi-soat", views.reconcile, name="reconcile"),
    path("can-bo/thanh-toan/doi-soat/<int:pk>", views.reconcile_run, name="reconcile_run"),
    path("can-bo/thanh-toan/doi-soat/<int:pk>/chenh-lech.csv", views.reconcile_csv, name="reconcile_csv"),
    path("can-bo/thanh-toan/<str:reference>", views.counter, name="counter"),
    path("can-bo/thanh-toan/<str:reference>/giay-bao-thu.pdf", views.counter_notice, name="counter_notice"),
]
