"""One language per message: server messages show the active language only."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext"}


def glued(path: Path):
    """Yield (line, text) of translated literals that glue a second language on with " / "."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in GETTEXT \
                and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            text = node.args[0].value
            left, sep, right = text.partition(" / ")
            if sep and right[:1].isupper() and left.rstrip().endswith((".", ")", ":")):
                yield node.lineno, text


def test_no_translated_string_glues_two_languages():
    root = Path(settings.BASE_DIR) / "sigap"
    found = [f"{p.relative_to(root)}:{line}: {text}" for p in root.rglob("*.py")
             if "tests" not in p.parts and "migrations" not in p.parts
             for line, text in glued(p)]
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize("lang, shown, absent", [
    ("id", "service_code tidak dikenal.", "Unknown service_code"),
    ("en", "Unknown service_code.", "tidak dikenal"),
])
def test_open311_errors_speak_the_requested_language(client, kupang, lang, shown, absent):
    body = client.get("/open311/v2/services/NOPE.json",
                      headers={"accept-language": lang}).content.decode()
    assert shown in body and absent not in body


@pytest.mark.django_db
def test_the_report_form_error_is_english_only_in_english(client, kupang, form_data):
    client.cookies["django_language"] = "en"
    body = client.post("/lapor/", form_data(description="", lat="-10.1772"),
                       headers={"accept": "application/json"}).json()
    assert body["errors"]["description"] == ["Write a short description or attach a photo."]
