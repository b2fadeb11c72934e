from django.utils.functional import SimpleLazyObject

from sigap.cities.models import City


def city(request):
    """Expose the default city to templates, looked up only when a template uses it."""
    return {"city": SimpleLazyObject(City.default)}
