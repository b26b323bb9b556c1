from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .second_factor import otp_satisfied


class MotcuaAdminSite(admin.AdminSite):
    """The Django admin, for administrators only, behind the platform's own login (throttled, TOTP)."""

    site_header = _("Quản trị Một Cửa Số")
    site_title = _("Quản trị Một Cửa Số")
    index_title = _("Danh mục quản trị")

    def has_permission(self, request):
        return super().has_permission(request) and otp_satisfied(request)

    def login(self, request, extra_context=None):
        from motcua.core.net import safe_next

        target = safe_next(request, reverse("admin:index"))
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
