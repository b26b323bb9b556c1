from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import CitizenProfile, RoleGrant, User


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
