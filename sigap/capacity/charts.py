"""Small SVG charts drawn on the server (no script, no external library: the page and its
printed summary show the same picture, and the CSP stays strict). Presentation attributes
only, no inline style. Each function returns safe markup built from numbers and escaped
labels."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sigap.capacity.results import TTF_BUCKETS

BRAND, AMBER, RED, MUTED, LINE = "#0b6e4f", "#b45309", "#c62828", "#616e7c", "#d9e2ec"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>")


def compliance_bars(rows: list[tuple[str, float | None, float | None]], *, title: str,
                    legend: tuple[str, str], target: float = 0.95) -> str:
    """Horizontal bars per agency: first response and resolution compliance (0..1)."""
    left, width, bar, gap = 80, 340, 11, 10
    height = 30 + len(rows) * (2 * bar + gap)
    x = lambda v: left + width * max(0.0, min(1.0, v or 0.0))  # noqa: E731
    body = [f'<rect x="{left}" y="8" width="10" height="10" fill="{AMBER}"/>'
            f'<text x="{left + 14}" y="17" font-size="11">{escape(legend[0])}</text>'
            f'<rect x="{left + 150}" y="8" width="10" height="10" fill="{BRAND}"/>'
            f'<text x="{left + 164}" y="17" font-size="11">{escape(legend[1])}</text>']
    y = 28
    for label, response, resolve in rows:
        body.append(f'<text x="{left - 6}" y="{y + bar + 3}" font-size="12" '
                    f'text-anchor="end">{escape(label)}</text>')
        for value, colour, dy in ((response, AMBER, 0), (resolve, BRAND, bar)):
            body.append(f'<rect x="{left}" y="{y + dy}" width="{x(value) - left:.1f}" '
                        f'height="{bar - 1}" fill="{colour}"/>')
            text = "–" if value is None else f"{100 * value:.1f}%"
            body.append(f'<text x="{x(value) + 4:.1f}" y="{y + dy + bar - 2}" '
                        f'font-size="10">{text}</text>')
        y += 2 * bar + gap
    tx = x(target)
    body.append(f'<line x1="{tx:.1f}" y1="24" x2="{tx:.1f}" y2="{height - 4}" stroke="{RED}" '
                f'stroke-dasharray="4 3"/>')
    return _svg(left + width + 60, height, body, title)


def line_chart(points: list[tuple[float, float]], *, title: str, x_label: str,
               y_label: str) -> str:
    """A line over the year (x in days, y a count)."""
    w, h, left, bottom = 640, 220, 50, 30
    if not points:
        return _svg(w, h, [], title)
    max_x = max(p[0] for p in points) or 1
    max_y = max(p[1] for p in points) or 1
    sx = lambda v: left + (w - left - 10) * v / max_x  # noqa: E731
    sy = lambda v: h - bottom - (h - bottom - 10) * v / max_y  # noqa: E731
    path = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in points)
    body = [f'<line x1="{left}" y1="{h - bottom}" x2="{w - 10}" y2="{h - bottom}" '
            f'stroke="{MUTED}"/>',
            f'<line x1="{left}" y1="10" x2="{left}" y2="{h - bottom}" stroke="{MUTED}"/>',
            f'<polyline points="{path}" fill="none" stroke="{BRAND}" stroke-width="2"/>',
            f'<text x="{left - 4}" y="16" font-size="10" text-anchor="end">{max_y:.0f}</text>',
            f'<text x="{left - 4}" y="{h - bottom}" font-size="10" text-anchor="end">0</text>',
            f'<text x="{w - 10}" y="{h - 8}" font-size="10" text-anchor="end">'
            f'{max_x:.0f} {escape(x_label)}</text>',
            f'<text x="{left + 4}" y="{h - 8}" font-size="10">{escape(y_label)}</text>']
    for month in range(1, 12):
        mx = sx(month * 365 / 12)
        body.append(f'<line x1="{mx:.1f}" y1="{h - bottom}" x2="{mx:.1f}" '
                    f'y2="{h - bottom + 4}" stroke="{MUTED}"/>')
    return _svg(w, h, body, title)


def histogram(labels: list[str], counts: list[float], *, title: str) -> str:
    """Vertical bars: share of reports per time-to-fix bucket."""
    w, h, left, bottom = 640, 220, 40, 40
    total = sum(counts) or 1
    n = len(counts) or 1
    slot = (w - left - 10) / n
    top = max(counts) / total if counts else 1
    body = [f'<line x1="{left}" y1="{h - bottom}" x2="{w - 10}" y2="{h - bottom}" '
            f'stroke="{MUTED}"/>']
    for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
        share = count / total
        bh = (h - bottom - 20) * share / (top or 1)
        bx = left + i * slot + 4
        colour = RED if i == n - 1 else BRAND
        body.append(f'<rect x="{bx:.1f}" y="{h - bottom - bh:.1f}" width="{slot - 8:.1f}" '
                    f'height="{bh:.1f}" fill="{colour}"/>')
        body.append(f'<text x="{bx + (slot - 8) / 2:.1f}" y="{h - bottom - bh - 4:.1f}" '
                    f'font-size="10" text-anchor="middle">{100 * share:.0f}%</text>')
        body.append(f'<text x="{bx + (slot - 8) / 2:.1f}" y="{h - bottom + 14}" font-size="10" '
                    f'text-anchor="middle">{escape(label)}</text>')
    return _svg(w, h, body, title)


def for_summary(data: dict) -> dict:
    """Return the page's charts (safe SVG) for a run's answers."""
    agencies = data.get("agencies", {})
    buckets = data.get("ttf_buckets", list(TTF_BUCKETS))
    labels = [f"≤{b} j" for b in buckets] + [f">{buckets[-1]} j", _("belum")]
    return {
        "compliance": compliance_bars(
            [(code, row.get("response_compliance"), row.get("resolve_compliance"))
             for code, row in agencies.items()],
            title=_("Kepatuhan SLA per dinas"),
            legend=(_("Tanggapan pertama"), _("Penyelesaian"))),
        "backlog": line_chart(
            [(row["day"], row["total"]) for row in data.get("backlog", [])],
            title=_("Laporan terbuka sepanjang tahun"), x_label=_("hari"),
            y_label=_("laporan terbuka")),
        "ttf": histogram(labels, data.get("overall", {}).get("ttf_histogram", []),
                                title=_("Waktu sampai selesai")),
    }
