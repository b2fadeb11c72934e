from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import AuditEntry, Role, User
from sigap.accounts.roles import sync_user_groups


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "agency", "phone", "email", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "display_name", "phone", "email"]
    list_select_related = ["agency"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Sigap"), {"fields": ["role", "agency", "city", "oversees", "display_name", "phone",
                                  "language", "notify_channel", "on_duty"]}),
    )
    # A city's administrator manages their own city's staff (tenancy, decision 0016): not the
    # install's flags, not citizens (one account across cities), not other cities.
    CITY_ADMIN_FIELDSETS = (
        (None, {"fields": ["username", "password"]}),
        (_("Sigap"), {"fields": ["first_name", "last_name", "email", "is_active", "role",
                                  "agency", "display_name", "phone", "language",
                                  "notify_channel", "on_duty"]}),
    )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(city_id__in=request.user.office_city_ids() or [],
                         is_superuser=False).exclude(role=Role.PROVINCE)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return ((None, {"fields": ["username", "password1", "password2"]}),)
        return self.CITY_ADMIN_FIELDSETS

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        if db_field.name == "role" and not request.user.is_superuser:
            field.choices = [c for c in field.choices if c[0] != Role.PROVINCE]
        return field

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.is_superuser = False
            if obj.agency_id is None:
                obj.city_id = request.user.city_id
        super().save_model(request, obj, form, change)
        sync_user_groups(obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail of who saw or exported personal data."""

    list_display = ["at", "actor_name", "action", "target"]
    list_filter = ["action"]
    search_fields = ["actor_name", "target"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
