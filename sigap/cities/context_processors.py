from django.utils.functional import SimpleLazyObject

from sigap.cities.models import City


def city(request):
    """Expose the city whose public face this request shows (its host name's, decision 0016;
    the default city elsewhere) to templates; a view showing one report passes its city."""
    found = getattr(request, "city", None)
    return {"city": found if found is not None else SimpleLazyObject(City.default)}
