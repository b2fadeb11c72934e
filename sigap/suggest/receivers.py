"""What the suggester does when a lower layer signals (SuggestConfig.ready())."""

from __future__ import annotations

from django.db import transaction

from sigap.agencies.models import Category
from sigap.suggest import tasks
from sigap.suggest.models import CategoryPhrase
from sigap.suggest.phrases import read_phrases


def load_phrases(sender, *, city, folder, agencies, result, upsert, **kwargs) -> None:
    """The city pack loads (cities.signals.pack_loaded): data/<city>/phrases.toml becomes the
    city's CategoryPhrase rows (those no longer in the file go); once committed, the
    worker trains the city's suggester again (the categories may have changed too)."""
    wanted = {}
    categories = {c.code: c for c in Category.objects.filter(city=city)}
    for code, language, text in read_phrases(folder / "phrases.toml"):
        if code not in categories:
            raise ValueError(f"{folder / 'phrases.toml'}: unknown category {code}")
        wanted[(categories[code].pk, language, text[:300])] = None
    have = {(p.category_id, p.language, p.text): p.pk
            for p in CategoryPhrase.objects.filter(category__city=city)}
    gone = [pk for key, pk in have.items() if key not in wanted]
    if gone:
        CategoryPhrase.objects.filter(pk__in=gone).delete()
        result.updated["phrase"] = result.updated.get("phrase", 0) + len(gone)
    new = [CategoryPhrase(category_id=c, language=lang, text=text)
           for (c, lang, text) in wanted if (c, lang, text) not in have]
    CategoryPhrase.objects.bulk_create(new)
    if new:
        result.created["phrase"] = result.created.get("phrase", 0) + len(new)
    city_id = city.pk
    transaction.on_commit(lambda: tasks.retrain_city(city_id))
