from django.contrib import admin

from sigap.dashboard.models import CityTarget


@admin.register(CityTarget)
class CityTargetAdmin(admin.ModelAdmin):
    list_display = ["city", "reports_per_year", "citizen_users"]
