"""Query filters of the report list (django-filter: bad values are 400s, not 500s)."""

import math
from datetime import timezone as dt_timezone

import django_filters
from rest_framework.exceptions import ValidationError
from django.utils.translation import gettext as _

from sigap.reports.models import Report
from sigap.reports.workflow import Status


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO date-time, compared in UTC (PostgreSQL refuses exotic offsets such as +20:34)."""

    def filter(self, qs, value):
        if value:
            try:
                value = value.astimezone(dt_timezone.utc)
            except OverflowError:
                raise ValidationError({self.field_name: _("Tanggal di luar jangkauan.")}) \
                    from None
        return super().filter(qs, value)


class ReportFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(method="filter_category",
                                         help_text="Category codes, comma-separated.")
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kecamatan = django_filters.CharFilter(field_name="kecamatan__code",
                                          help_text="Kemendagri code of the kecamatan.")
    kelurahan = django_filters.CharFilter(field_name="kelurahan__code",
                                          help_text="Kemendagri code of the kelurahan.")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")
    bbox = django_filters.CharFilter(method="filter_bbox",
                                     help_text="west,south,east,north (lng,lat,lng,lat).")

    class Meta:
        model = Report
        fields = ["category", "status", "kecamatan", "kelurahan", "created_after",
                  "created_before", "bbox"]

    def filter_category(self, queryset, name, value):
        codes = [c.strip() for c in value.split(",") if c.strip()][:50]
        return queryset.filter(category__code__in=codes) if codes else queryset

    def filter_bbox(self, queryset, name, value):
        try:
            west, south, east, north = (float(p) for p in value.split(","))
        except ValueError:
            raise ValidationError({"bbox": _(
                "bbox harus barat,selatan,timur,utara.")},
            ) from None
        if not all(math.isfinite(v) for v in (west, south, east, north)) or west > east \
                or south > north:
            raise ValidationError({"bbox": _("bbox tidak valid.")})
        return queryset.in_bbox(south, west, north, east)
