"""The city's categories, agencies and areas, kept per worker, attached to reports in lists.

A page of reports names a handful of categories, agencies and kelurahan over and over. They
change only when an administrator edits them, so each worker keeps them for
SIGAP_CONFIG_CACHE_SECONDS and attaches them to the reports it lists: no query and no new
instances per page (prefetching them cost a quarter of an uncached Open311 page). The
instances are shared between requests: read them, never change them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sigap.agencies.models import Agency, Category
from sigap.cities.models import Area
from sigap.lib import memo
from sigap.reports.models import Report

_CATALOGUES = memo.configuration()


@dataclass(frozen=True)
class Catalogue:
    categories: dict
    agencies: dict
    areas: dict


def of(city) -> Catalogue:
    def load():
        return Catalogue(
            categories={c.pk: c for c in Category.objects.filter(city=city).defer("description")},
            agencies={a.pk: a for a in Agency.objects.filter(city=city)},
            areas={a.pk: a for a in Area.objects.filter(city=city).defer("boundary")},
        )

    return _CATALOGUES.get(city.pk, load)


def attach(reports, city) -> list:
    """Set category, agency, kelurahan and kecamatan on `reports` from the catalogue.

    A report whose category, agency or area the catalogue does not know yet (made in the
    last few seconds) makes the catalogue reload once.
    """
    reports = list(reports)
    fields = [(Report._meta.get_field(name), name + "_id", kind) for name, kind in (
        ("category", "categories"), ("agency", "agencies"), ("kelurahan", "areas"),
        ("kecamatan", "areas"))]
    for attempt in (1, 2):
        cat = of(city)
        missing = any(
            getattr(r, attname) is not None and getattr(r, attname) not in getattr(cat, kind)
            for r in reports for _field, attname, kind in fields)
        if not missing or attempt == 2:
            break
        _CATALOGUES.forget(city.pk)
    for report in reports:
        for field, attname, kind in fields:
            value = getattr(report, attname)
            if value is None:
                field.set_cached_value(report, None)
            elif value in getattr(cat, kind):
                field.set_cached_value(report, getattr(cat, kind)[value])
    return reports
