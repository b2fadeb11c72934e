from django.contrib import admin

from sigap.channels.models import BlockedNumber, Conversation, InboundMessage, OutboundMessage


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
