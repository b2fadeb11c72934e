"""One choke point for "public data changed": models whose rows a public answer shows.

Public answers (Open311's lists and details) are cached under a data version
(sigap.reports.freshness) and are exact only if every write that could change them bumps
it. Rather than each service remembering to, a model that a public answer depends on
inherits `PublicModel` (and its manager's queryset `PublicQuerySet`): its save() and delete(),
and its querysets' update(), delete(), bulk_create() and bulk_update() call `changed()`, so
the admin, a data migration or a new service cannot forget. The version itself lives above
this layer: `changed()` sends `sigap.lib.signals.public_data_changed`, which the reports app
connects in its AppConfig.ready().

Inside an atomic block the signal is sent once (at its first write); a write in a savepoint
that rolls back does not count, so the next write sends it again.
"""

from __future__ import annotations

from django.db import models, router, transaction

from sigap.lib import memo
from sigap.lib.signals import public_data_changed


def _mark() -> None:
    """Queued with on_commit to remember this transaction already sent the signal."""


def changed(using: str = "default") -> None:
    """Send `public_data_changed`, once per transaction (every time outside one)."""
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        # Django keeps each on_commit callback with the savepoints open when it was queued and
        # drops it when one of them rolls back: a mark queued in this atomic block or one
        # around it, still open, means the signal was already sent for this block's writes.
        open_now = set(connection.savepoint_ids)
        if any(func is _mark and sids <= open_now
               for sids, func, _robust in connection.run_on_commit):
            return
        transaction.on_commit(_mark, using=using)
    public_data_changed.send(sender=None, using=using)


class PublicQuerySet(models.QuerySet):
    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            changed(self.db)
        return rows

    update.alters_data = True

    def delete(self):
        deleted = super().delete()
        if deleted[0]:
            changed(self.db)
        return deleted

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            changed(self.db)
        return created

    def bulk_update(self, objs, *args, **kwargs):
        rows = super().bulk_update(objs, *args, **kwargs)
        if rows:
            changed(self.db)
        return rows


class PublicModel(models.Model):
    """A model whose rows public answers show: every write of it counts as a change."""

    objects = PublicQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        changed(kwargs.get("using") or router.db_for_write(type(self), instance=self))

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        changed(kwargs.get("using") or router.db_for_write(type(self), instance=self))
        return result


def _configuration_written(using: str) -> None:
    """After the commit, tell every process the city's configuration changed."""
    transaction.on_commit(memo.configuration_changed, using=using)


class ConfigurationQuerySet(PublicQuerySet):
    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            _configuration_written(self.db)
        return rows

    update.alters_data = True

    def delete(self):
        deleted = super().delete()
        if deleted[0]:
            _configuration_written(self.db)
        return deleted

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            _configuration_written(self.db)
        return created

    def bulk_update(self, objs, *args, **kwargs):
        rows = super().bulk_update(objs, *args, **kwargs)
        if rows:
            _configuration_written(self.db)
        return rows


def _db(instance, kwargs) -> str:
    return kwargs.get("using") or router.db_for_write(type(instance), instance=instance)


class ConfigurationModel(PublicModel):
    """The city's configuration (city, areas, agencies, categories): every committed write
    sets a new configuration version, so every process's memos of it follow (lib/memo.py)
    within SIGAP_CONFIG_CHECK_SECONDS, whether the admin, `loadcity` or a service wrote it."""

    objects = ConfigurationQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _configuration_written(_db(self, kwargs))

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _configuration_written(_db(self, kwargs))
        return result
