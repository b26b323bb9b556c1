from django.contrib import admin, messages

from .models import InAppMessage, OutboxMessage, SimulatedSms
from .services import resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "subject", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend_selected"]

    @admin.action(description="Gửi lại các thông báo đã chọn")
    def resend_selected(self, request, queryset):
        count = resend(message_ids=list(queryset.values_list("pk", flat=True)))
        messages.success(request, f"Đã xếp {count} thông báo để gửi lại.")


@admin.register(SimulatedSms)
class SimulatedSmsAdmin(admin.ModelAdmin):
    list_display = ["created_at", "phone", "text"]
    search_fields = ["phone"]


@admin.register(InAppMessage)
class InAppMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
