from django.contrib import admin

from .models import DueRecalculation


@admin.register(DueRecalculation)
class DueRecalculationAdmin(admin.ModelAdmin):
    """Read-only: runs are created by calendar changes and worked by the task worker."""

    list_display = ["created_at", "day", "unit", "reason", "status", "total", "processed", "changed", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in DueRecalculation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
