from django.contrib import admin

from .models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "dossier", "step", "due_at", "user", "day", "recipients")
    list_filter = ("kind",)
    raw_id_fields = ("dossier", "user", "unit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
