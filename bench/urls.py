from django.http import JsonResponse
from django.urls import include, path


def ceiling(request):
    """The least a Django JSON view can do: the same server, middleware and framework."""
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/ceiling.json", ceiling), path("", include("sigap.urls"))]
