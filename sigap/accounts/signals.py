"""The accounts layer's documented signals (STYLE.md §5): how it tells the apps above it.

`contact_verified` is sent once a one-time code has proved that a phone number or e-mail is
the user's (`services.verify_code` on sign-in, `services.add_contact` on a profile), after
the code's own transaction:

    contact_verified.send(sender=User, user=User, destination=services.Destination,
                          now=datetime)

`account_deleting` is sent by `services.delete_account` first, inside its transaction, so
that each app forgets what it keeps of the user before the account row goes:

    account_deleting.send(sender=User, user=User, now=datetime)

Receivers run in the order they were connected; an exception is the caller's (a deletion
rolls back whole), as with the registries these replace. The reports app connects both
(the reports sent earlier with the contact join the account; a deleted reporter is
forgotten).
"""

from django.dispatch import Signal

contact_verified = Signal()
account_deleting = Signal()
