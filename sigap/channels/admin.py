from django import forms
from django.contrib import admin

from sigap.channels.landmarks import LandmarkFileError, kelurahan_for
from sigap.channels.models import (
    BlockedNumber, Conversation, InboundMessage, Landmark, OutboundMessage, UnreadableMessage,
)


class InboundInline(admin.TabularInline):
    model = InboundMessage
    fields = ["received_at", "kind", "state", "payload", "attempts", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-received_at"]


class OutboundInline(admin.TabularInline):
    model = OutboundMessage
    fields = ["created_at", "body", "state", "provider_id", "notification", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["phone", "channel", "step", "language", "reports_created",
                    "last_inbound_at", "updated_at"]
    list_filter = ["channel", "language"]
    search_fields = ["phone"]
    readonly_fields = ["channel", "phone", "draft", "last_inbound_at", "reports_created",
                       "created_at", "updated_at"]
    inlines = [InboundInline, OutboundInline]


@admin.register(BlockedNumber)
class BlockedNumberAdmin(admin.ModelAdmin):
    list_display = ["phone", "reason", "created_at"]
    search_fields = ["phone"]


@admin.register(UnreadableMessage)
class UnreadableMessageAdmin(admin.ModelAdmin):
    """What the webhooks received and could not read: for the administrator to look at."""

    list_display = ["received_at", "channel", "reason"]
    list_filter = ["channel"]
    readonly_fields = ["received_at", "channel", "reason", "body"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LandmarkForm(forms.ModelForm):
    class Meta:
        model = Landmark
        fields = ["city", "name", "aliases", "lat", "lng", "kelurahan", "source", "licence",
                  "is_active"]

    def clean(self):
        data = super().clean()
        city, lat, lng = data.get("city"), data.get("lat"), data.get("lng")
        if not data.get("kelurahan") and city is not None and None not in (lat, lng):
            try:  # left empty: the kelurahan the point lies in
                data["kelurahan"] = kelurahan_for(city, "", lat, lng)
            except LandmarkFileError as exc:
                raise forms.ValidationError(str(exc)) from None
        return data


@admin.register(Landmark)
class LandmarkAdmin(admin.ModelAdmin):
    """The city's known places (data/<city>/landmarks.csv, or added here)."""

    form = LandmarkForm
    list_display = ["name", "aliases", "kelurahan", "licence", "is_active"]
    list_filter = ["is_active", "licence"]
    search_fields = ["name", "aliases"]
    raw_id_fields = ["kelurahan"]
