from django.contrib import admin

from .models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "unit", "legal_basis"]
    list_filter = ["kind"]
    search_fields = ["name", "unit__name"]
    raw_id_fields = ["unit"]
    date_hierarchy = "date"
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
