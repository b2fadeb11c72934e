"""Project-wide middleware: what every request passes before it reaches an app."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from sigap.lib import text
from sigap.open311 import render

# Headers whose value Sigap stores or keys on (the rest it never reads); Authorization's
# token is looked up in the database, which refuses NUL.
CHECKED_HEADERS = ("Idempotency-Key", "X-Client-Id", "Authorization")


# No path segment Sigap answers is longer (tickets, codes, photo names); a longer one would
# reach the file system as a name it refuses (OSError: file name too long).
MAX_SEGMENT = 255


def control_characters(get_response):
    """Refuse a path, a query string or a stored header holding control characters, and a
    path segment longer than any name, with a 400 in the active language.

    Bodies are checked where they are parsed (sigap.api.parsers, the Open311 adapter and
    Django's form fields), so that a body is read once.
    """

    def middleware(request):
        if text.has_control(request.path_info):
            return refusal(request.path, _("alamat"))
        if any(len(part) > MAX_SEGMENT for part in request.path_info.split("/")):
            return refusal(request.path, _("alamat"),
                           message=_("Alamat terlalu panjang."))
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


def refusal(path: str, name: str, *, message: str = "") -> HttpResponse:
    """Return the 400 for a control character, in the shape the endpoint's clients read."""
    message = message or _("Karakter kontrol tidak diizinkan di %(name)s.") % {
        "name": name or "teks"}
    if path.startswith("/open311/"):
        fmt = "xml" if path.endswith(".xml") else "json"
        return render.errors(fmt, 400, [(400, message)])
    if path.startswith("/api/"):
        return JsonResponse({name or "detail": [message]}, status=400)
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


class TooDeeplyNested:
    """Answer 400, not 500, when a view's parsing of the request recursed too deeply.

    Sigap's own JSON readers measure nesting first (sigap.lib.safejson); this covers the
    parsers it does not own, such as the JSON form fields of Django's admin, whose
    json.loads recurses once per level of `[[[[...`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RecursionError):
            return refusal(request.path, "", message=_(
                "Isi JSON tidak valid atau bersarang terlalu dalam."))
        return None
