"""The documented signals of sigap.lib (STYLE.md §5): how a helper tells the apps above it.

`public_data_changed` is sent by `publicdata.changed()` inside each transaction that changes
data a public answer shows (once per transaction; at every write outside one):

    public_data_changed.send(sender=None, using=str)

`using` is the database alias written to. Receivers run inside the writer's transaction, in
the order they were connected; an exception is the writer's (its write fails), so a receiver
that cannot keep the public answers exact stops the change. The reports app connects the
data version (`reports.freshness.bump`).
"""

from django.dispatch import Signal

public_data_changed = Signal()
