"""What the recognition app does when the reports layer signals (connected in ready())."""

from __future__ import annotations

from sigap.recognition import services


def verify_trusted_report(sender, *, report_id: int, now, **kwargs) -> bool:
    """A report was created (reports.signals.report_created): a trusted reporter's report
    skips the verification queue."""
    return services.verify_if_trusted(report_id, now=now)
