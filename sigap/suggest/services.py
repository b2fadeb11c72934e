"""Suggest categories for a citizen's words: the city's newest trained model, loaded once
per process and kept until a newer version is stored (any worker may train it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from sigap.agencies.models import Category
from sigap.cities.models import City
from sigap.lib import memo
from sigap.suggest import classifier
from sigap.suggest.models import SuggestionModel

MAX_TEXT = 500  # characters a question may carry (the API refuses longer)
MIN_TEXT = 3

# The newest version of each city's model: asked of the database at most once per
# SIGAP_SUGGEST_CHECK_SECONDS, so a new model reaches every web node within that time.
_VERSION = memo.Memo(lambda: settings.SIGAP_SUGGEST_CHECK_SECONDS, maxsize=64)
# The models themselves by (city, version): a version never changes once stored.
_MODEL = memo.Memo(float("inf"), maxsize=16)
# The active categories' codes and names per city (configuration).
_ACTIVE = memo.configuration()


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float
    category: Category


def model_version(city: City) -> int | None:
    """Return the newest stored version of the city's model (None: none trained yet)."""
    def newest():
        return (SuggestionModel.objects.filter(city=city).order_by("-version")
                .values_list("version", flat=True).first())

    return _VERSION.get(city.pk, newest)


def _model(city: City, version: int) -> dict | None:
    def load():
        return (SuggestionModel.objects.filter(city=city, version=version)
                .values_list("data", flat=True).first())

    return _MODEL.get((city.pk, version), load)


def _active(city: City) -> dict[str, Category]:
    def load():
        return {c.code: c for c in Category.objects.filter(city=city, is_active=True)
                .only("code", "name_id", "name_en", "is_emergency", "order")}

    return _ACTIVE.get(city.pk, load)


def suggest(city: City, text: str, *, limit: int = 3) -> tuple[list[Suggestion], int | None]:
    """Return the categories of `city` that best match `text`, best first, with the model
    version that ranked them. Empty when the city has no model yet or no word is known."""
    version = model_version(city)
    model = _model(city, version) if version is not None else None
    if model is None:
        return [], None
    active = _active(city)
    ranked = classifier.rank(model, text, among=list(active), limit=limit)
    return [Suggestion(code, score, active[code]) for code, score in ranked], version
