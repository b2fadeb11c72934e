"""Train a city's suggester from its own history and its pack's phrases, and keep it."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q

from sigap.cities.models import City
from sigap.reports.models import Report, ReportEvent
from sigap.reports.workflow import Action, Status
from sigap.suggest import classifier
from sigap.suggest.models import CategoryPhrase, SuggestionModel

# The newest reports a training reads: a bounded cost however long the city's record.
HISTORY_LIMIT = 50_000
# Versions kept per city besides the newest (a web process may still be loading one).
KEEP = 2


def _confirmed() -> Q:
    """Reports whose category the desk confirmed: verified (and on), or recategorised (back
    in the queue under the desk's category). Waiting or turned-down reports say nothing
    about which category their words belong to."""
    recategorised = Exists(ReportEvent.objects.filter(report=OuterRef("pk"),
                                                      action=Action.RECATEGORISE))
    return (~Q(status__in=[Status.SUBMITTED, Status.REJECTED])
            | (Q(status=Status.SUBMITTED) & recategorised))


def history(city: City, *, limit: int = HISTORY_LIMIT) -> Counter:
    """Return how often each (description, final category code) pair occurs among the city's
    newest `limit` reports the desk has confirmed (a recategorised report counts under the
    category the desk gave it)."""
    newest = (Report.objects.filter(_confirmed(), city=city).exclude(description="")
              .order_by("-created_at").values("pk")[:limit])
    rows = (Report.objects.filter(pk__in=newest)
            .values_list("description", "category__code").annotate(n=Count("pk")))
    return Counter({(text, code): n for text, code, n in rows})


def phrases(city: City) -> list[tuple[str, str]]:
    """Return the (text, category code) pairs of the city's pack phrases."""
    return list(CategoryPhrase.objects.filter(category__city=city)
                .values_list("text", "category__code"))


def retrain(city: City, *, now: datetime) -> SuggestionModel:
    """Train the city's suggester, store it as a new version, drop the old ones but KEEP."""
    pairs = phrases(city)
    seen = history(city)
    model = classifier.train(classifier.documents(seen, pairs), trusted=[t for t, _c in pairs])
    with transaction.atomic():
        # One new version at a time per city (two workers retraining at once wait in turn).
        list(City.objects.select_for_update().filter(pk=city.pk).values_list("pk", flat=True))
        last = SuggestionModel.objects.filter(city=city).aggregate(v=Max("version"))["v"] or 0
        stored = SuggestionModel.objects.create(
            city=city, version=last + 1, trained_at=now, reports=sum(seen.values()),
            phrases=len(pairs), data=model)
        SuggestionModel.objects.filter(city=city, version__lte=last + 1 - KEEP - 1).delete()
    return stored
