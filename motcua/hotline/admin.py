from django.contrib import admin

from .models import Call, DutyShift


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("received_at", "unit", "topic", "outcome", "officer")
    list_filter = ("topic", "outcome")
    readonly_fields = ("caller_phone", "phone_masked_at")


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ("date", "shift", "unit", "officer")
    list_filter = ("shift",)
