"""RSS and Atom feeds of a place's public reports (Django's syndication framework).

/ikuti/rss?kelurahan=<id> or ?lat=&lng=&r=<metres> (and /ikuti/atom): the newest public
reports there, new and fixed, naming the category, the place and the status. Never the
reporter, a contact or the description (the same words as the messages).
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from sigap.follows import services
from sigap.reports import nearby

FEED_SIZE = 30


class PlaceFeed(Feed):
    def get_object(self, request, *args, **kwargs):
        try:
            return services.place_of(services.city_of(request.GET), request.GET)
        except ValidationError:
            raise Http404 from None

    def title(self, place):
        return _("Laporan warga di %(place)s, %(city)s") % {"place": place.name(),
                                                            "city": place.city.name}

    def link(self, place):
        return services.follow_page_url(place)

    def description(self, place):
        return _("Laporan baru dan perbaikan di %(place)s (Sigap).") % {"place": place.name()}

    def items(self, place):
        qs = place.reports()
        if place.is_circle:
            ids = nearby.newest_within(qs, place.lat, place.lng, place.radius_m,
                                       count=FEED_SIZE)
            qs = qs.filter(pk__in=ids)
        return list(qs.select_related("category", "kelurahan")
                    .order_by("-created_at", "-pk")[:FEED_SIZE])

    def item_title(self, report):
        return f"{report.category.name} — {report.get_status_display()}"

    def item_description(self, report):
        where = report.kelurahan.name if report.kelurahan else ""
        return _("%(ticket)s · Kelurahan %(place)s · %(status)s") % {
            "ticket": report.ticket, "place": where, "status": report.get_status_display()}

    def item_link(self, report):
        return report.get_absolute_url()

    def item_guid(self, report):
        return report.ticket

    def item_pubdate(self, report):
        return report.created_at

    def item_updateddate(self, report):
        return report.resolved_at or report.updated_at


class PlaceAtomFeed(PlaceFeed):
    feed_type = Atom1Feed
    subtitle = PlaceFeed.description
