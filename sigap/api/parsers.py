"""Request parsers: DRF's, refusing control characters (PostgreSQL cannot store NUL)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from sigap.lib import text


def _checked(data):
    found = text.first_control(data.data if isinstance(data, parsers.DataAndFiles) else data)
    if found is not None:
        raise ParseError(_("Karakter kontrol tidak diizinkan di %(name)s.")
                         % {"name": found or "teks"})
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _checked(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _checked(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _checked(super().parse(stream, media_type, parser_context))
