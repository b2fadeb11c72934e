from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from sigap.open311.models import ApiKey, hash_key


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "is_active", "rate_per_minute", "created_at", "revoked_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "contact"]
    fields = ["name", "contact", "rate_per_minute", "is_active", "prefix", "created_at",
              "revoked_at"]
    readonly_fields = ["prefix", "created_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        import secrets

        raw = secrets.token_urlsafe(24)
        obj.prefix, obj.key_hash, obj.created_at = raw[:8], hash_key(raw), timezone.now()
        super().save_model(request, obj, form, change)
        messages.warning(request, _(
            "Kunci API untuk %(name)s: %(key)s — salin sekarang, kunci ini tidak akan "
            "ditampilkan lagi.") % {"name": obj.name, "key": raw})

    @admin.action(description=gettext_lazy("Cabut kunci terpilih"))
    def revoke(self, request, queryset):
        now = timezone.now()
        count = queryset.filter(is_active=True).update(is_active=False, revoked_at=now)
        messages.success(request, _("%(n)d kunci dicabut.") % {"n": count})
