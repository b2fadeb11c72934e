"""`sigap simulate`: a simulated year of the city on Sigap's rules; prints and writes CSV."""

from __future__ import annotations

import json
import math
import time
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from sigap.capacity import charts, demand, scenario as scenarios, services
from sigap.cities.models import City


def _pct(value, ci=None) -> str:
    if value is None:
        return "-"
    text = f"{100 * value:5.1f}%"
    return text + (f" ±{100 * ci:.1f}" if ci and not math.isnan(ci) else "")


def _hours(value) -> str:
    return "-" if value is None else f"{value:.1f} j"


def summary_lines(summary: dict) -> list[str]:
    """Return the run's summary as aligned text lines (also used by the tests)."""
    lines = [
        _("Skenario: %(name)s — tahun %(year)s, %(reps)s replikasi")
        % {"name": summary["scenario"], "year": summary["year"],
           "reps": summary["replications"]},
        "",
        f"{_('Dinas'):<10} {_('Petugas'):>7} {_('Laporan'):>8} {_('Tanggapan'):>14} "
        f"{_('Selesai'):>14} {_('p50'):>8} {_('p90'):>8} {_('Utilisasi'):>9} "
        f"{_('Ke kepala'):>9}",
    ]
    rows = list(summary["agencies"].items()) + [(_("KOTA"), summary["overall"])]
    if "replay" in summary:
        return lines[:2] + calibration_lines(rows)
    for code, row in rows:
        lines.append(
            f"{code:<10} {row['officers']:>7.0f} {row['reports']:>8.0f} "
            f"{_pct(row['response_compliance'], row['response_compliance_ci']):>14} "
            f"{_pct(row['resolve_compliance'], row['resolve_compliance_ci']):>14} "
            f"{_hours(row['ttf_p50']):>8} {_hours(row['ttf_p90']):>8} "
            f"{_pct(row['utilisation']):>9} {row['to_head']:>9.0f}")
    return lines


def calibration_lines(rows) -> list[str]:
    """The replay's table: simulated against recorded compliance, per agency."""
    lines = [_("Ulang data tercatat: simulasi dibanding catatan (selisih dalam poin)"),
             f"{_('Dinas'):<10} {_('Laporan'):>8} {_('Tanggapan sim.'):>15} "
             f"{_('tercatat'):>9} {_('selisih'):>8} {_('Selesai sim.'):>13} "
             f"{_('tercatat'):>9} {_('selisih'):>8}"]
    for code, row in rows:
        lines.append(
            f"{code:<10} {row['reports']:>8.0f} {_pct(row['response_compliance']):>15} "
            f"{_pct(row.get('recorded_response_compliance')):>9} "
            f"{_points(row.get('response_difference_points')):>8} "
            f"{_pct(row['resolve_compliance']):>13} "
            f"{_pct(row.get('recorded_resolve_compliance')):>9} "
            f"{_points(row.get('resolve_difference_points')):>8}")
    return lines


def _points(value) -> str:
    return "-" if value is None else f"{value:+.1f}"


def search_lines(found: dict) -> list[str]:
    lines = ["", _("Petugas yang dibutuhkan (kepatuhan SLA penyelesaian, rata-rata replikasi "
                   "± selang kepercayaan 95%)"),
             f"{_('Dinas'):<10} {_('Rencana'):>8} {_('Saat ini'):>14} {'95%':>16} {'99%':>16}"]
    for code, row in found.items():
        cells = []
        for target in ("0.95", "0.99"):
            hit = row["targets"].get(target)
            cells.append(f"{hit['officers']} ({_pct(hit['compliance'], hit['ci']).strip()})"
                         if hit else _("tak tercapai"))
        at_plan = row["at_plan"]
        lines.append(f"{code:<10} {row['planned']:>8} "
                     f"{_pct(at_plan['compliance'], at_plan['ci']):>14} "
                     f"{cells[0]:>16} {cells[1]:>16}")
    return lines


def write_charts(summary: dict, directory: Path) -> list[Path]:
    """Write the Kapasitas page's charts for this summary as SVG files."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, svg in charts.for_summary(summary).items():
        path = directory / f"{name}.svg"
        path.write_text(str(svg), encoding="utf-8")
        paths.append(path)
    return paths


class Command(BaseCommand):
    help = "Simulate a year of the city on Sigap's own rules and say how many officers it needs."

    def add_arguments(self, parser):
        parser.add_argument("--city", help="city code (default: the default city)")
        parser.add_argument("--scenario", help="scenario TOML (default: data/<city>/capacity.toml)")
        parser.add_argument("--replications", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reports", type=int, help="yearly reports (before growth)")
        parser.add_argument("--growth", type=float, help="demand growth factor")
        parser.add_argument("--officers", action="append", default=[], metavar="AGENCY=N",
                            help="officers of an agency (repeatable)")
        parser.add_argument("--replay", action="store_true",
                            help="replay the city's last 365 days of reports (and their "
                                 "rates) up to its last event, with the recorded figures "
                                 "beside the simulated ones")
        parser.add_argument("--until", help="replay up to this date (YYYY-MM-DD; default today)")
        parser.add_argument("--search", action="store_true",
                            help="find each agency's smallest officer count for 95%% and 99%%")
        parser.add_argument("--agency", action="append", default=[],
                            help="search only these agencies")
        parser.add_argument("--processes", type=int, default=None)
        parser.add_argument("--csv", help="directory for the CSV files (default var/capacity)")
        parser.add_argument("--json", help="write the whole summary as JSON here")
        parser.add_argument("--charts", help="write the page's charts as SVG files here")

    def handle(self, *args, **opts):
        city = City.objects.get(code=opts["city"]) if opts["city"] else City.default()
        if city is None:
            raise CommandError(_("Belum ada kota. Jalankan `sigap setup` dulu."))
        path = Path(opts["scenario"] or Path(settings.BASE_DIR) / "data" / city.code
                    / "capacity.toml")
        try:
            scen = scenarios.load(path)
        except FileNotFoundError:
            raise CommandError(_("Berkas skenario tidak ada: %(path)s") % {"path": path}) from None
        except scenarios.ScenarioError as exc:
            raise CommandError(str(exc)) from None
        scen = self._overrides(scen, opts)
        source = services.Source()
        if opts["replay"]:
            until = (datetime.fromisoformat(opts["until"]).replace(tzinfo=city.tz)
                     if opts["until"] else demand.record_end(city, timezone.now()))
            source = services.Source(since=until - timedelta(days=365), until=until)
        out_dir = Path(opts["csv"] or Path(settings.BASE_DIR) / "var" / "capacity")
        started = time.monotonic()
        summary = services.run(city, scen, replications=opts["replications"],
                               seed=opts["seed"], source=source)
        for line in summary_lines(summary):
            self.stdout.write(line)
        written = services.write_csv(summary, out_dir)
        if opts["search"]:
            found = services.search(city, scen, replications=opts["replications"],
                                    seed=opts["seed"], source=source,
                                    processes=opts["processes"], agencies=opts["agency"] or None)
            summary["search"] = found
            for line in search_lines(found):
                self.stdout.write(line)
            written.append(services.write_search_csv(found, out_dir / "officers_needed.csv"))
        if opts["charts"]:
            written += write_charts(summary, Path(opts["charts"]))
        if opts["json"]:
            Path(opts["json"]).write_text(json.dumps(services.json_safe(summary), indent=1),
                                          encoding="utf-8")
            written.append(Path(opts["json"]))
        self.stdout.write("")
        self.stdout.write(_("Waktu: %(s).1f detik. Berkas: %(files)s")
                          % {"s": time.monotonic() - started,
                             "files": ", ".join(str(p) for p in written)})

    def _overrides(self, scen, opts):
        from dataclasses import replace

        if opts["reports"] is not None:
            scen = replace(scen, reports=opts["reports"])
        if opts["growth"] is not None:
            scen = replace(scen, growth=opts["growth"])
        for item in opts["officers"]:
            code, _sep, n = item.partition("=")
            if code not in scen.agencies or not n.isdigit():
                raise CommandError(_("--officers butuh DINAS=JUMLAH dengan dinas dari skenario, "
                                     "bukan %(item)r.") % {"item": item})
            scen = scen.with_officers(code, int(n))
        return scen
