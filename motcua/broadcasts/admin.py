from django.contrib import admin

from .models import Broadcast, Delivery, InboundSms, Subscription, ZaloGroup


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ("created_at", "commune", "urgency", "status", "over_limit", "sender")
    list_filter = ("urgency", "status", "over_limit")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("broadcast", "channel", "recipient", "village", "status", "attempts")
    list_filter = ("channel", "status")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("village", "phone", "active", "source", "changed_at")
    list_filter = ("active", "source")


@admin.register(ZaloGroup)
class ZaloGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "village", "group_id", "active")


@admin.register(InboundSms)
class InboundSmsAdmin(admin.ModelAdmin):
    list_display = ("received_at", "phone", "text", "result")
