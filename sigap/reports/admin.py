from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sigap.accounts import audit
from sigap.reports import privacy
from sigap.reports.models import Outbox, Photo, Report, ReportEvent

# Who reported and how to reach them: shown only to whom the one privacy rule shows them.
CONTACT_FIELDS = ("reporter", "contact_name", "contact_phone", "contact_email")


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

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and privacy.can_see_contacts(request.user, obj):
            return fields
        return [f for f in fields if f not in CONTACT_FIELDS]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), *CONTACT_FIELDS]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and obj is not None and privacy.can_see_contacts(
                request.user, obj):
            audit.record(request.user, audit.CONTACT_VIEWED, f"report:{obj.ticket}",
                         timezone.now(), detail={"surface": "admin"})
        return response


class ViewOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the services (and their worker): shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportEvent)
class ReportEventAdmin(ViewOnlyAdmin):
    list_display = ["report", "kind", "old", "new", "actor", "agency", "at"]
    list_filter = ["kind", "agency"]
    list_select_related = ["report", "actor", "agency"]
    search_fields = ["report__ticket"]


@admin.register(Outbox)
class OutboxAdmin(ViewOnlyAdmin):
    """Events whose notifications the worker has still to work out (sigap.reports.outbox).

    Rows leave within seconds while the worker runs; a row that stays for minutes means the
    worker is down or that event keeps failing (the worker's log says why). View only: a
    row deleted by hand would be notifications never sent.
    """

    list_display = ["ticket", "kind", "at"]
    list_display_links = None  # the ticket leads to its report, not to this row
    list_select_related = ["event__report"]
    ordering = ["pk"]

    @admin.display(description=_("nomor tiket"))
    def ticket(self, obj):
        report = obj.event.report
        return format_html('<a href="{}">{}</a>',
                           reverse("admin:reports_report_change", args=[report.pk]),
                           report.ticket)

    @admin.display(description=_("jenis"))
    def kind(self, obj):
        return obj.event.get_kind_display()

    @admin.display(description=_("waktu"))
    def at(self, obj):
        return obj.event.at
