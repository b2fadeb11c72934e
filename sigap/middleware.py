"""Project-wide middleware: what every request passes before it reaches an app."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from sigap.lib import text
from sigap.open311 import render

# Headers whose value Sigap stores or keys on (the rest it never reads).
CHECKED_HEADERS = ("Idempotency-Key", "X-Client-Id")


def control_characters(get_response):
    """Refuse a query string or a stored header holding control characters, with a 400.

    Bodies are checked where they are parsed (sigap.api.parsers, the Open311 adapter and
    Django's form fields), so that a body is read once.
    """

    def middleware(request):
        bad = text.first_control(request.GET)
        if bad is None:
            for name in CHECKED_HEADERS:
                if text.has_control(request.headers.get(name, "")):
                    bad = name
                    break
        if bad is None:
            return get_response(request)
        return refusal(request.path, bad)

    return middleware


def refusal(path: str, name: str) -> HttpResponse:
    """Return the 400 for a control character, in the shape the endpoint's clients read."""
    message = _("Karakter kontrol tidak diizinkan di %(name)s.") % {"name": name or "teks"}
    if path.startswith("/open311/"):
        fmt = "xml" if path.endswith(".xml") else "json"
        return render.errors(fmt, 400, [(400, message)])
    if path.startswith("/api/"):
        return JsonResponse({name or "detail": [message]}, status=400)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
