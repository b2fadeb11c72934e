"""`sigap demo-data`: write a demo city's history of reports (sigap.demo.history)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sigap.cities.models import City
from sigap.demo import history
from sigap.reports.models import Report


class Command(BaseCommand):
    help = ("Write a realistic history of reports and citizens for the default city, "
            "simulated by the capacity engine on the city's scenario (capacity.toml).")

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=None,
                            help="default: SIGAP_DEMO_REPORTS (30,000)")
        parser.add_argument("--citizens", type=int, default=None,
                            help="default: SIGAP_DEMO_CITIZENS (3,000)")
        parser.add_argument("--year", type=int, default=None,
                            help="the calendar year (default: this year, up to today)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--city", default=None,
                            help="city code (default: SIGAP_CITY; with --auto: every city "
                                 "without reports, each other city with its scenario's "
                                 "reports, at most --reports)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the city has reports already")
        parser.add_argument("--auto", action="store_true",
                            help="what make serve runs: --if-empty, and only when "
                                 "SIGAP_DEMO_DATA is on")

    def handle(self, *args, reports, citizens, year, seed, city, if_empty=False, auto=False,
               **options):
        if auto and (settings.PRODUCTION or not settings.SIGAP_DEMO_DATA):
            return
        if_empty = if_empty or auto
        reports = settings.SIGAP_DEMO_REPORTS if reports is None else reports
        citizens = settings.SIGAP_DEMO_CITIZENS if citizens is None else citizens
        if settings.PRODUCTION:
            raise CommandError("demo-data never runs in production (SIGAP_ENV=production).")
        if reports < 0 or citizens < 0:
            raise CommandError("--reports and --citizens must not be negative.")
        if auto and city is None:
            # make serve: every city without reports, the default city's year first (the one
            # a newcomer opens), then each other city's smaller year from its own scenario.
            targets = sorted(City.objects.filter(is_active=True),
                             key=lambda c: (c.code != settings.SIGAP_DEFAULT_CITY, c.code))
            for target in targets:
                if target.code == settings.SIGAP_DEFAULT_CITY:
                    self._one(target, reports, citizens, year, seed, if_empty)
                    continue
                planned = history.scenario_for(target).reports
                self._one(target, min(planned, reports), min(citizens, planned // 10), year,
                          seed, if_empty)
            return
        code = city or settings.SIGAP_DEFAULT_CITY
        target = City.objects.filter(code=code).first()
        if target is None:
            raise CommandError(f"No city {code!r}: run `sigap setup` or `sigap loadcity` first.")
        self._one(target, reports, citizens, year, seed, if_empty)

    def _one(self, target, reports, citizens, year, seed, if_empty):
        if if_empty and Report.objects.filter(city=target).exists():
            self.stdout.write(f"Demo data: {target.name} has reports already; nothing loaded.")
            return
        now = timezone.now()
        year = year or now.astimezone(target.tz).year
        self.stdout.write(f"Loading a demo history of {target.name} {year} "
                          f"({reports} reports, {citizens} citizens) …")
        began = time.monotonic()
        try:
            result = history.generate(target, reports=reports, citizens=citizens, year=year,
                                      seed=seed, now=now)
        except (ValueError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from None
        took = time.monotonic() - began
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(result.by_status.items()))
        overall = result.summary["overall"]
        self.stdout.write(self.style.SUCCESS(
            f"Demo history of {target.name} {year}: {result.reports} reports, "
            f"{result.events} events, {result.supports} supports, {result.citizens} new "
            f"citizens in {took:.1f} s ({statuses}); first response in time "
            f"{_pct(overall['response_compliance'])}, resolved in time "
            f"{_pct(overall['resolve_compliance'])} (the capacity engine's figures of this "
            f"year: sigap simulate --replay reproduces them)"))


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"
