"""What the reports app does when a lower layer signals (connected in ReportsConfig.ready())."""

from __future__ import annotations

from sigap.reports import freshness
from sigap.reports.services import engagement


def bump_data_version(sender, *, using: str, **kwargs) -> None:
    """Public data changed (lib.signals.public_data_changed): cached public answers expire."""
    freshness.bump(using)


def forget_deleted_user(sender, *, user, now, **kwargs) -> None:
    """An account is being deleted (accounts.signals.account_deleting): its reports stay,
    without reporter or contact details."""
    engagement.forget_user(user, now=now)


def claim_earlier_reports(sender, *, user, destination, now, **kwargs) -> None:
    """A phone number or e-mail was proved (accounts.signals.contact_verified): the reports
    sent earlier with it join the account."""
    engagement.claim_earlier_reports(user, destination, now)
