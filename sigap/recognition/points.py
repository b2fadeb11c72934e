"""Points, badges and trust as pure functions over a citizen's reports (no database).

A report earns points only when staff verified it and it was fixed (resolved, or closed
after being resolved): volume earns nothing, nor do rejected or duplicate reports, open
ones, supports ("Saya juga") or comments. Everything here is recomputed from the report
rows each time, so there is no counter to keep in step (decision 0017).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from sigap.reports.workflow import Status

POINTS_PER_FIXED = 10
FIXED = frozenset({Status.RESOLVED, Status.CLOSED})
NOT_GENUINE = frozenset({Status.REJECTED, Status.DUPLICATE})


class Row(NamedTuple):
    """The fields of one report that recognition reads."""

    status: str
    verified_at: datetime | None
    resolved_at: datetime | None
    category_code: str = ""


class Badge(NamedTuple):
    code: str
    label: str
    why: str


def is_fixed(row: Row) -> bool:
    """Return whether the report was verified by staff and then fixed."""
    return row.status in FIXED and row.verified_at is not None and row.resolved_at is not None


def points(rows: Iterable[Row]) -> int:
    """Return the citizen's points: POINTS_PER_FIXED for each verified and fixed report."""
    return POINTS_PER_FIXED * sum(1 for row in rows if is_fixed(row))


BADGES = [
    # (code, label, why, earned(fixed count, fixed categories))
    ("first", _("Laporan pertama beres"), _("Satu laporan Anda diverifikasi dan beres."),
     lambda n, cats: n >= 1),
    ("five", _("5 laporan beres"), _("Lima laporan Anda diverifikasi dan beres."),
     lambda n, cats: n >= 5),
    ("twentyfive", _("25 laporan beres"), _("Dua puluh lima laporan Anda beres."),
     lambda n, cats: n >= 25),
    ("three_kinds", _("Peduli banyak hal"),
     _("Laporan Anda yang beres ada di 3 kategori berbeda."), lambda n, cats: cats >= 3),
]


def badges(rows: Iterable[Row]) -> list[Badge]:
    """Return the badges the citizen's verified and fixed reports have earned, in order."""
    fixed = [row for row in rows if is_fixed(row)]
    kinds = len({row.category_code for row in fixed if row.category_code})
    return [Badge(code, str(label), str(why)) for code, label, why, earned in BADGES
            if earned(len(fixed), kinds)]


class TrackRecord(NamedTuple):
    verified: int
    rejected: int

    @property
    def rejected_share(self) -> float:
        decided = self.verified + self.rejected
        return self.rejected / decided if decided else 0.0


def track_record(rows: Iterable[Row]) -> TrackRecord:
    """Count the reports staff verified (and did not later reject or merge) and those they
    rejected; duplicates of someone else's report count neither way."""
    verified = rejected = 0
    for row in rows:
        if row.status == Status.REJECTED:
            rejected += 1
        elif row.status not in NOT_GENUINE and row.verified_at is not None:
            verified += 1
    return TrackRecord(verified, rejected)


def is_trusted(record: TrackRecord, *, min_verified: int, max_rejected_percent: int,
               revoked: bool) -> bool:
    """Return whether a reporter with this record skips the verification queue."""
    return (not revoked and record.verified >= min_verified
            and record.rejected_share * 100 < max_rejected_percent)


class Entry(NamedTuple):
    """One citizen on a kelurahan's monthly board: their name only if they opted in."""

    user_id: int
    fixed: int
    points: int
    name: str  # "" when the citizen did not opt in


def board(counts: Iterable[tuple[int, int, int]], names: dict[int, str],
          top: int) -> dict[int, list[Entry]]:
    """Rank each kelurahan's citizens by points, most first (ties: fewer, older accounts).

    `counts` holds (kelurahan id, user id, fixed reports that month); `names` the display
    names of the citizens who opted in; the others get "".
    """
    per_area: dict[int, list[Entry]] = defaultdict(list)
    for area_id, user_id, fixed in counts:
        per_area[area_id].append(Entry(user_id, fixed, fixed * POINTS_PER_FIXED,
                                       names.get(user_id, "")))
    return {area: sorted(entries, key=lambda e: (-e.points, e.user_id))[:top]
            for area, entries in per_area.items()}
