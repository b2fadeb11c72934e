"""Background work for the dashboard: keep the transparency snapshot fresh."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


def refresh_transparency(*, now) -> int:
    """Recompute the public page's snapshot of every active city; return how many."""
    # Imported when called: tasks.py is loaded by Huey at start-up, before the apps are ready.
    from sigap.cities.models import City
    from sigap.dashboard import public

    cities = list(City.objects.filter(is_active=True).defer("boundary"))
    for city in cities:
        public.refresh(city, now=now)
    return len(cities)


@db_periodic_task(crontab(minute="*/15"))
def refresh_transparency_periodically() -> int:
    """Every 15 minutes (the page promises at least hourly)."""
    return refresh_transparency(now=timezone.now())


def refresh_dashboards(*, now) -> int:
    """Recompute the dashboard figures of every active city's standard scopes."""
    # Imported when called: tasks.py is loaded by Huey at start-up, before the apps are ready.
    from sigap.cities.models import City
    from sigap.dashboard import rollup

    return sum(rollup.refresh(city, now=now)
               for city in City.objects.filter(is_active=True).defer("boundary"))


@db_periodic_task(crontab(minute="*/15"))
def refresh_dashboards_periodically() -> int:
    """Every 15 minutes: the figures executives open first are ready when they do."""
    return refresh_dashboards(now=timezone.now())
