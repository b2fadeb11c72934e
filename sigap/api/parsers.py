"""Request parsers: DRF's, refusing control characters (PostgreSQL cannot store NUL) and
JSON nested deeper than sigap.lib.safejson allows (Python's parser would recurse into a 500)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from sigap.lib import safejson, text


def _checked(data):
    found = text.first_control(data.data if isinstance(data, parsers.DataAndFiles) else data)
    if found is not None:
        raise ParseError(_("Karakter kontrol tidak diizinkan di %(name)s.")
                         % {"name": found or "teks"})
    return data


def _no_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            raw = stream.read() if stream is not None else b""
            # DRF's strict mode too: NaN and Infinity are not JSON.
            data = safejson.loads(raw.decode(encoding), parse_constant=_no_constant)
        except ValueError:
            raise ParseError(_("Isi JSON tidak valid atau bersarang terlalu dalam.")) from None
        return _checked(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _checked(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _checked(super().parse(stream, media_type, parser_context))
