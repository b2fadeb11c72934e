from django.contrib import admin

from sigap.backoffice.models import ResponseTemplate


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "is_active", "order"]
    list_filter = ["agency", "is_active"]
    search_fields = ["title", "text"]
