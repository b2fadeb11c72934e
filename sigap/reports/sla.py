"""The SLA ladder's names where callers have always found them; the SLA itself lives in one
module, sigap/reports/services/sla.py."""

from sigap.reports.services.sla import (  # noqa: F401
    KIND_FOR_LEVEL, LADDER, LOOKAHEAD, MAX_LEVEL, Thresholds, due_for_escalation,
    run_escalations, steps_between, thresholds,
)
from sigap.reports.workflow import ADMIN, HEAD, REMINDER  # noqa: F401
