from django.contrib import admin, messages

from .models import AdministrativeUnit, Office, OfficeContact, OfficeHours
from .services import unit_save
from .warnings import office_warnings


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_type", "parent", "valid_from", "valid_to"]
    list_filter = ["unit_type"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "successor"]
    readonly_fields = ["path", "depth"]

    def save_model(self, request, obj, form, change):
        unit_save(unit=obj)


class OfficeHoursInline(admin.TabularInline):
    model = OfficeHours
    extra = 0


class OfficeContactInline(admin.TabularInline):
    model = OfficeContact
    extra = 0


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "phone", "hotline", "is_active"]
    search_fields = ["code", "name", "agency_code"]
    raw_id_fields = ["unit"]
    inlines = [OfficeHoursInline, OfficeContactInline]

    def changelist_view(self, request, extra_context=None):
        # Setting up a unit: say which offices would strand dossiers for want of a role (issue 13, kind 6).
        for message in office_warnings():
            self.message_user(request, message, messages.WARNING)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_active:
            for message in office_warnings([obj]):
                self.message_user(request, message, messages.WARNING)
