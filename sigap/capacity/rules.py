"""The product's own rules, read once from the database for a simulation.

The simulation never re-implements a rule: it calls the product's functions
(`agencies.routing`, `reports.services.due_times`/`calendar_for`, `reports.sla`,
`reports.workflow`) on the city's own Category and Agency rows. A scenario may override
what the city controls (SLA hours, an agency's calendar or auto-assignment) on unsaved
copies of those rows, so the product's functions see the scenario's values.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from sigap.agencies import routing
from sigap.agencies.models import Agency, Category
from sigap.capacity.scenario import Scenario
from sigap.cities.models import Area
from sigap.reports import services, sla


@dataclass
class CityRules:
    city: object
    categories: dict[str, Category]  # code -> (copy of) the product's row, agency attached
    agencies: dict[str, Agency]  # code -> (copy of) the product's row
    kecamatan: dict[str, tuple[int, float, float]]  # code -> (area pk, lat, lng)
    center: tuple[float, float]

    def __post_init__(self):
        self.agency_by_pk = {a.pk: a for a in self.agencies.values()}
        self.category_by_pk = {c.pk: c for c in self.categories.values()}
        self._calendars: dict = {}

    def calendar(self, agency: Agency, at: datetime):
        """Return the agency's SLA calendar around `at` (services.calendar_for), kept."""
        key = (agency.pk, at.year)
        if key not in self._calendars:
            self._calendars[key] = services.calendar_for(agency, self.city, at)
        return self._calendars[key]

    def route(self, category_code: str) -> Agency | None:
        """Return the agency the product routes `category_code` to (None: no route)."""
        category = self.categories.get(category_code)
        if category is None:
            return None
        try:
            return routing.route(category)
        except routing.NoRoute:
            return None

    def due_times(self, category_code: str, agency: Agency, start: datetime):
        """Return (response_due_at, due_at) by the product's SLA maths."""
        return services.due_times(self.categories[category_code], agency, self.city, start)

    def escalation_level(self, category_code: str, agency: Agency, due_at: datetime,
                         at: datetime) -> int:
        """Return the ladder level (reports.sla) a report due at `due_at` has reached at `at`."""
        calendar = self.calendar(agency, due_at)
        hours = self.categories[category_code].resolve_sla_hours
        return sla.thresholds(due_at, hours, calendar).level_at(at)


def load(city, scenario: Scenario) -> CityRules:
    """Return the city's rules from the database with the scenario's overrides applied."""
    agencies = {}
    for agency in Agency.objects.filter(city=city):
        agency = copy.copy(agency)
        plan = scenario.agencies.get(agency.code)
        if plan is not None and plan.working_hours_only is not None:
            agency.working_hours_only = plan.working_hours_only
        if plan is not None and plan.auto_assign is not None:
            agency.auto_assign = plan.auto_assign
        agencies[agency.pk] = agency
    categories = {}
    for category in Category.objects.filter(city=city):
        category = copy.copy(category)
        category.agency = agencies[category.agency_id]  # the copy, with the overrides
        response, resolve = scenario.sla.get(category.code, (None, None))
        if response is not None:
            category.response_sla_hours = response
        if resolve is not None:
            category.resolve_sla_hours = resolve
        categories[category.code] = category
    kecamatan = {}
    for area in Area.objects.filter(city=city, level="kecamatan"):
        lat = area.centroid_lat if area.centroid_lat is not None else city.center_lat
        lng = area.centroid_lng if area.centroid_lng is not None else city.center_lng
        kecamatan[area.code] = (area.pk, lat, lng)
    return CityRules(city=city, categories=categories,
                     agencies={a.code: a for a in agencies.values()},
                     kecamatan=kecamatan, center=(city.center_lat, city.center_lng))
