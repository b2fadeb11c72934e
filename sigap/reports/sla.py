"""The SLA ladder's names where callers have always found them; the SLA itself lives in one
module, sigap/reports/services/sla.py."""

from sigap.reports.services.sla import (  # noqa: F401
    BY_NAME, DEADLINES, KIND_FOR_LEVEL, LADDER, LOOKAHEAD, MAX_LEVEL, RESOLVE, RESPONSE, Deadline,
    Thresholds, deadline_of, due_for_escalation, run_escalations, steps_between, thresholds,
)
from sigap.reports.workflow import ADMIN, HEAD, REMINDER  # noqa: F401
