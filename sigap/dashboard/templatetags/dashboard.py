"""How the dashboard writes its figures: rates, durations, and "too few"."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from sigap.dashboard import stats

register = template.Library()


def _too_few(n: int, minimum: int):
    return format_html(
        '<span class="too-few" title="{}">{}</span>',
        _("Dihitung dari %(n)s laporan; angka baru ditampilkan mulai %(m)s laporan.")
        % {"n": n, "m": minimum},
        _("terlalu sedikit"))


@register.simple_tag
def rate(r: stats.Rate):
    """Write a rate as "62 %", or "too few" under the minimum sample."""
    if r.too_few:
        return _too_few(r.whole, r.min_sample)
    return format_html("{}&nbsp;%", r.percent)


@register.simple_tag
def duration(value, times: stats.Times | None = None):
    """Write a duration in hours as hours (under two days) or days; "too few" if None."""
    if value is None:
        if times is not None:
            return _too_few(times.n, stats.MIN_SAMPLE)
        return "–"
    if value < 48:
        return format_html("{}&nbsp;{}", number_format(round(value, 1), 1), _("jam"))
    return format_html("{}&nbsp;{}", number_format(round(value / 24, 1), 1), _("hari"))


@register.filter
def thousands(value):
    return number_format(value, 0, force_grouping=True)
