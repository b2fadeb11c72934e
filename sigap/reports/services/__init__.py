"""The only code that changes a report. Views, the API, Open311 and jobs all call these.

Each service validates, locks, writes, records a ReportEvent, and only after commit hands
side effects (notifications, thumbnails) to the queue. Time is always passed in as `now`.

By concern: `create` (a new report), `transitions` (the state machine's actions),
`engagement` (notes, comments, ratings, support, following), `sla` (deadlines, pause,
escalation), `history` (an event that changes nothing else); `common` holds what they
share. Callers use this package's names (`services.create_report`, `services.verify`, ...).
"""

from sigap.reports import outbox  # noqa: F401 - callers reach it as services.outbox
from sigap.reports.services.anonymity import set_blur_regions  # noqa: F401
from sigap.reports.services.common import (  # noqa: F401
    BAD_IMAGE_MESSAGES, MAX_DESCRIPTION, MAX_PHOTOS, MAX_PROOF_PHOTOS, actions_for, clean_photos,
    role_of, team_ids_of,
)
from sigap.reports.services.create import (  # noqa: F401
    Checked, Contact, Created, NewReport, answers_from_form, check_report, city_of_point,
    create_report, place, validate_answers,
)
from sigap.reports.services.dispatch import (  # noqa: F401
    change_deadline, once, reprioritise, schedule,
)
from sigap.reports.services.engagement import (  # noqa: F401
    add_comment, add_note, claim_earlier_reports, follow, rate, reporter_confirms, support,
    unfollow,
)
from sigap.reports.services.history import record_event  # noqa: F401
from sigap.reports.services.moderation import decide, flag, moderates, set_words  # noqa: F401
from sigap.reports.services.sla import (  # noqa: F401
    calendar_for, due_times, pause_sla, record_escalation, resume_sla,
)
from sigap.reports.services.transitions import (  # noqa: F401
    REJECT_REASONS, assign, auto_assign, close, handback, mark_duplicate, reassign,
    recategorise, reject, reopen, resolve, start, transition, verify,
)
