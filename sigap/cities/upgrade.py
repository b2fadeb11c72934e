"""What the data migrations of the city tenancy share: the city an existing single-city
install's rows belong to (migrations only, with historical models)."""

from django.conf import settings


def home_city(apps):
    """Return the city the rows of a single-city install belong to: SIGAP_CITY's, else
    the only city; None if there is none (an empty database has nothing to move)."""
    City = apps.get_model("cities", "City")
    city = City.objects.filter(code=settings.SIGAP_DEFAULT_CITY).first()
    if city is None and City.objects.count() == 1:
        city = City.objects.get()
    return city
