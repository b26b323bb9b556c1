from django.contrib import admin

from .models import AssistanceRecord, Campaign, Member, Person, Team


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "unit"]
    raw_id_fields = ["unit"]
    inlines = [MemberInline]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "member_target_people", "member_target_days"]
    filter_horizontal = ["units"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "is_digital_citizen", "review_pending"]
    list_filter = ["is_digital_citizen", "review_pending"]
    exclude = ["citizen_id", "phone"]


@admin.register(AssistanceRecord)
class AssistanceRecordAdmin(admin.ModelAdmin):
    list_display = ["date", "member", "full_name", "village_flagged"]
    list_filter = ["village_flagged"]
    exclude = ["citizen_id", "phone"]
