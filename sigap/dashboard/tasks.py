"""Background work for the dashboard: keep the public snapshot and the standard scopes' figures
fresh."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

REFRESH_LOCK = "sigap-refresh-city-figures"


def refresh_transparency(*, now) -> int:
    """Recompute the public page's snapshot of every active city; return how many."""
    # Imported when called: tasks.py is loaded by Huey at start-up, before the apps are ready.
    from sigap.cities.models import City
    from sigap.dashboard import public

    cities = list(City.objects.filter(is_active=True).defer("boundary"))
    for city in cities:
        public.refresh(city, now=now)
    return len(cities)


def refresh_dashboards(*, now) -> int:
    """Recompute the dashboard figures of every active city's standard scopes."""
    # Imported when called: tasks.py is loaded by Huey at start-up, before the apps are ready.
    from sigap.cities.models import City
    from sigap.dashboard import rollup

    return sum(rollup.refresh(city, now=now)
               for city in City.objects.filter(is_active=True).defer("boundary"))


@db_task()
@HUEY.lock_task(REFRESH_LOCK)
def prepare_transparency(city_id: int) -> bool:
    """Make the public snapshot a visitor found missing; return whether this job made it
    (later visitors' jobs find it made, and none runs beside the periodic refresh)."""
    # Imported when called: tasks.py is loaded by Huey at start-up, before the apps are ready.
    from sigap.cities.models import City
    from sigap.dashboard import public

    city = City.objects.filter(pk=city_id).defer("boundary").first()
    if city is None or public.stored(city) is not None:
        return False
    public.refresh(city, now=timezone.now())
    return True


@db_periodic_task(crontab(minute="*/15"))
@HUEY.lock_task(REFRESH_LOCK)
def refresh_city_figures_periodically() -> tuple[int, int]:
    """Every 15 minutes: the public page's snapshot (it promises at least hourly), then the
    figures executives open first, so they are ready when they do. One task, one at a time:
    at a million reports a refresh takes minutes, and it must neither overlap the next one
    nor hold both of the worker's threads (the notifications would wait). A run that finds
    the last one still going is skipped."""
    now = timezone.now()
    return refresh_transparency(now=now), refresh_dashboards(now=now)
