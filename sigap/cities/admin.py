from django.contrib import admin

from sigap.cities.models import Area, City


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ticket_prefix", "timezone"]
    exclude = ["boundary"]

    def get_queryset(self, request):
        """A city's administrator sees their own city (tenancy, decision 0016)."""
        qs = super().get_queryset(request)
        ids = request.user.office_city_ids()
        return qs if ids is None else qs.filter(pk__in=ids)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "code", "code_bps", "parent", "postal_code"]
    list_filter = ["city", "level", "parent"]
    search_fields = ["name", "code", "code_bps"]
    list_select_related = ["parent"]
    exclude = ["boundary"]
    readonly_fields = ["centroid_lat", "centroid_lng"]
