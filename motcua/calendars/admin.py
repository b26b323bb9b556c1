from django.contrib import admin, messages

from . import services
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
        before = CalendarOverride.objects.select_related("unit").get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if change and not form.changed_data:
            return
        run = services.override_changed(override=obj, actor=request.user, before=before)
        self._tell(request, run)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._tell(request, services.override_changed(override=obj, actor=request.user, removed=True))

    def delete_queryset(self, request, queryset):
        removed = list(queryset.select_related("unit"))
        super().delete_queryset(request, queryset)
        for obj in removed:
            self._tell(request, services.override_changed(override=obj, actor=request.user, removed=True))

    def _tell(self, request, run) -> None:
        # The run is queued when this is said; the worker starts it once the change commits.
        self.message_user(request, services.recalculation_message(run), messages.INFO)
