"""The city of a request: its scope (which cities' rows it may read) and its time zone.

After authentication: an office user's request runs scoped to their cities (tenancy); every
other request runs over every city, and `request.city` — the city whose public face is
shown — is picked by the host name (`jayapura.sigap.example`; decision 0016), or is the
default city. Times show in that city's zone (a staff member's: their own city's).
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.cities import tenancy
from sigap.cities.models import City


def city_of_request(request) -> City | None:
    return City.for_host(request.get_host()) or City.default_cached()


def city_scope(get_response):
    def middleware(request):
        request.city = city_of_request(request)
        user = getattr(request, "user", None)
        zone_city = request.city
        if tenancy.is_office_user(user) and user.city_id:
            zone_city = City.all_cached().get(user.city_id, zone_city)
        if zone_city is not None:
            timezone.activate(zone_city.tz)
        try:
            with tenancy.scope_for(user):
                return get_response(request)
        finally:
            timezone.deactivate()

    return middleware


def public_city(request) -> City:
    """Return the city whose public face this request shows (the host name's, or the
    default); 404 when the install has no city yet."""
    city = public_city_or_none(request)
    if city is None:
        raise Http404(_("Kota belum disiapkan."))
    return city


def office_city(request) -> City:
    """Return the city an office page shows: `?kota=<code>` when the user may read that
    city (404 when not: an ask for another city is refused, never answered with one's
    own), else the user's own city, else the host name's (or default) city when theirs,
    else the first city they oversee; 404 when none is theirs."""
    cities = City.all_cached()
    allowed = tenancy.cities_of(request.user)
    code = request.GET.get("kota", "")

    def theirs(city):
        return city is not None and (allowed is tenancy.ALL or city.pk in allowed)

    if code:
        if not theirs(cities.get(code)):
            raise Http404(_("Kota ini tidak Anda tangani."))
        return _shown(cities[code])
    for city in (cities.get(getattr(request.user, "city_id", None)),
                 public_city_or_none(request)):
        if theirs(city):
            return _shown(city)
    if allowed and cities.get(allowed[0]) is not None:
        return _shown(cities[allowed[0]])
    raise Http404(_("Kota belum disiapkan."))


def _shown(city: City) -> City:
    """The page shows this city: in its time (the rest of the request, exports included)."""
    timezone.activate(city.tz)
    return city


def public_city_or_none(request) -> City | None:
    """The city the middleware picked for this request (or picks now, outside it)."""
    return getattr(request, "city", None) or city_of_request(request)
