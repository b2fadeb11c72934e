"""The cities layer's documented signals (STYLE.md §5): how it asks the apps above it.

`pack_loaded` is sent by `citypack.load_pack` once the pack's own rows (city, areas,
agencies, categories) are loaded, inside the pack's transaction, so that each app loads its
own files of the pack (landmarks, paging rules, response templates):

    pack_loaded.send(sender=City, city=City, folder=pathlib.Path,
                     agencies=dict[str, Agency], result=LoadResult, upsert=callable)

`agencies` are the pack's agencies by code; `upsert(model, lookup, values, result, kind)`
creates or updates one row and counts it in `result`. Receivers run in the order they were
connected (INSTALLED_APPS order); an exception rolls the whole pack back.
"""

from django.dispatch import Signal

pack_loaded = Signal()
