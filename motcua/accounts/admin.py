from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import CitizenLookup, CitizenProfile, Consent, DossierAccess, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    raw_id_fields = ["unit"]
    exclude = ["granted_by"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "phone", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin"), {"fields": ("full_name", "phone", "email")}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    inlines = [RoleGrantInline]
    actions = ["issue_totp_enrolment_code", "end_all_sessions"]

    @admin.action(description=_("Cấp mã đăng ký xác thực hai bước (ứng dụng cũ ngừng hoạt động)"))
    def issue_totp_enrolment_code(self, request, queryset):
        # The codes are shown once, here; only their hashes are kept.
        for user in queryset:
            code = services.totp_enrolment_code_issue(user=user, issued_by=request.user)
            self.message_user(
                request,
                _("Mã đăng ký cho %(user)s: %(code)s — đưa trực tiếp cho cán bộ; mã dùng một lần.")
                % {"user": user.username, "code": code},
                messages.SUCCESS,
            )

    @admin.action(description=_("Kết thúc mọi phiên đăng nhập và mã truy cập API"))
    def end_all_sessions(self, request, queryset):
        for user in queryset:
            services.sessions_end_all(user=user)
        self.message_user(request, _("Đã kết thúc mọi phiên đăng nhập của %(n)s tài khoản.") % {"n": queryset.count()})

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if isinstance(instance, RoleGrant) and instance.granted_by_id is None:
                instance.granted_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(CitizenProfile)
class CitizenProfileAdmin(admin.ModelAdmin):
    list_display = ["full_name", "masked_id", "birth_date", "phone"]
    search_fields = ["full_name", "citizen_id", "phone"]
    raw_id_fields = ["user", "address_unit"]

    @admin.display(description=_("số định danh"))
    def masked_id(self, obj):
        from motcua.core.logging import mask_citizen_id

        return mask_citizen_id(obj.citizen_id)


@admin.register(CitizenLookup)
class CitizenLookupAdmin(admin.ModelAdmin):
    """The audit log of counter lookups: read only."""

    list_display = ["created_at", "officer", "citizen", "purpose", "ip_address"]
    list_filter = ["purpose"]
    search_fields = ["officer__username"]
    raw_id_fields = ["officer", "citizen"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DossierAccess)
class DossierAccessAdmin(admin.ModelAdmin):
    """Officers' reads of citizens' dossiers (shown to each citizen on their personal-data page): read only."""

    list_display = ["created_at", "officer", "dossier_code", "what"]
    search_fields = ["officer__username", "dossier_code"]
    raw_id_fields = ["officer", "citizen"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Who consented to which text version, when (Decree 13/2023/NĐ-CP): read only."""

    list_display = ["given_at", "user", "version", "source", "withdrawn_at"]
    list_filter = ["version", "source"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
