from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from sigap.accounts.models import AuditEntry, User
from sigap.accounts.roles import sync_user_groups


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "agency", "phone", "email", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "display_name", "phone", "email"]
    list_select_related = ["agency"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Sigap"), {"fields": ["role", "agency", "display_name", "phone", "language",
                                  "notify_channel", "on_duty"]}),
    )

    def save_model(self, request, obj, form, change):
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
