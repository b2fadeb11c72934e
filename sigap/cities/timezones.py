"""Each city in its own time: the zone of a city by its id, and the zone to show a report in.

Stored times are UTC; a report is shown, exported and sent in its city's zone (Kota Jayapura:
Asia/Jayapura, UTC+9), whatever `settings.TIME_ZONE` says. Views of one report render inside
`timezone.override(zone_of(report.city_id))`; adapters that format a list (Open311) ask
`zone_of` per row, which is memoised like the rest of the configuration (no query per row).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings

from sigap.cities.models import City
from sigap.lib import memo

_ZONES = memo.configuration()


def zone_of(city_id: int | None) -> ZoneInfo:
    """Return the time zone of the city `city_id` (the installation's when unknown)."""
    if city_id is None:
        return ZoneInfo(settings.TIME_ZONE)
    name = _ZONES.get(city_id, lambda: City.objects.filter(pk=city_id)
                      .values_list("timezone", flat=True).first())
    return ZoneInfo(name or settings.TIME_ZONE)
