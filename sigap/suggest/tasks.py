"""Background work for the category suggester: train each city's model nightly and after
its pack loads. Tasks take primary keys."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

RETRAIN_LOCK = "sigap-suggest-retrain"


def retrain_all(*, now) -> int:
    """Train the suggester of every active city; return how many."""
    # Imported when called: tasks.py is loaded by Huey at start-up, before the apps are ready.
    from sigap.cities.models import City
    from sigap.suggest import training

    cities = list(City.objects.filter(is_active=True).defer("boundary"))
    for city in cities:
        training.retrain(city, now=now)
    return len(cities)


@db_task(retries=2, retry_delay=30)
def retrain_city(city_id: int) -> int | None:
    """Train one city's suggester (after its pack loaded); return the new version."""
    # Imported when called: tasks.py is loaded by Huey at start-up, before the apps are ready.
    from sigap.cities.models import City
    from sigap.suggest import training

    city = City.objects.filter(pk=city_id).defer("boundary").first()
    if city is None:
        return None
    return training.retrain(city, now=timezone.now()).version


@db_periodic_task(crontab(hour="18", minute="17"))
@HUEY.lock_task(RETRAIN_LOCK)
def retrain_nightly() -> int:
    """Every night (18:17 UTC: 02:17 in Kupang, 03:17 in Jayapura): learn the day's
    confirmed and recategorised reports. Twice only stores one more identical version."""
    return retrain_all(now=timezone.now())
