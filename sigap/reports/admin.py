from django.contrib import admin

from sigap.reports.models import Photo, Report, ReportEvent


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["kind", "image", "thumbnail", "width", "height", "created_at"]
    readonly_fields = fields
    can_delete = False


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = ["at", "kind", "old", "new", "actor", "actor_role", "agency", "note", "is_public"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-mostly: every change of status goes through reports.services (the back office)."""

    list_display = ["ticket", "category", "status", "priority", "agency", "kelurahan",
                    "created_at", "due_at"]
    list_filter = ["status", "agency", "category", "kecamatan", "source"]
    search_fields = ["ticket", "description", "address"]
    list_select_related = ["category", "agency", "kelurahan"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Report._meta.fields if f.name not in ("is_public",)]
    inlines = [PhotoInline, EventInline]

    def has_add_permission(self, request):
        return False


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ["report", "kind", "old", "new", "actor", "agency", "at"]
    list_filter = ["kind", "agency"]
    list_select_related = ["report", "actor", "agency"]
    search_fields = ["report__ticket"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
