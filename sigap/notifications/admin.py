from django.contrib import admin

from sigap.notifications.models import Notification, Unsubscribed


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "report", "purpose", "recipient", "channel", "state",
                    "attempts", "sent_at"]
    list_filter = ["state", "channel", "purpose"]
    search_fields = ["report__ticket", "destination"]
    raw_id_fields = ["event", "report", "user"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False  # the services make notifications; a hand-made one has no event or time


@admin.register(Unsubscribed)
class UnsubscribedAdmin(admin.ModelAdmin):
    list_display = ["destination", "created_at"]
