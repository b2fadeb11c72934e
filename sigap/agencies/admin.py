from django.contrib import admin

from sigap.agencies.models import Agency, Category, CategoryAttribute, Team


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0
    fields = ["code", "name"]
    show_change_link = True


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_field_agency", "auto_assign", "working_hours_only"]
    list_filter = ["city", "is_field_agency"]
    search_fields = ["code", "name"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "agency"]
    list_filter = ["agency"]
    filter_horizontal = ["kecamatan", "members"]
    list_select_related = ["agency"]


class AttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "name_en", "agency", "response_sla_hours",
                    "resolve_sla_hours", "priority", "is_emergency", "is_sensitive", "is_active"]
    list_filter = ["city", "agency", "is_emergency", "is_sensitive", "is_active"]
    search_fields = ["code", "name_id", "name_en"]
    list_select_related = ["agency"]
    inlines = [AttributeInline]
