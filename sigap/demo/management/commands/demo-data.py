"""`sigap demo-data`: write a demo city's history of reports (sigap.demo.history)."""

import argparse
import resource
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sigap.cities.models import City
from sigap.demo import history
from sigap.reports.models import Report


class Command(BaseCommand):
    help = ("Write a realistic history of reports and citizens for the default city, "
            "computed with Sigap's own rules (routing, SLA, auto-assignment, lifecycle).")

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=None,
                            help="default: SIGAP_DEMO_REPORTS (30,000)")
        parser.add_argument("--citizens", type=int, default=None,
                            help="default: SIGAP_DEMO_CITIZENS (3,000)")
        parser.add_argument("--year", type=int, default=None,
                            help="the calendar year (default: this year, up to today)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--fork-writer", action=argparse.BooleanOptionalAction,
                            default=None,
                            help="write in a second process while simulating (default: from "
                                 f"{history.FORK_WRITER_FROM:,} reports)")
        parser.add_argument("--city", default=None, help="city code (default: SIGAP_CITY)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the city has reports already")
        parser.add_argument("--auto", action="store_true",
                            help="what make serve runs: --if-empty, and only when "
                                 "SIGAP_DEMO_DATA is on")

    def handle(self, *args, reports, citizens, year, seed, city, if_empty=False, auto=False,
               fork_writer=None, **options):
        if auto and (settings.PRODUCTION or not settings.SIGAP_DEMO_DATA):
            return
        if_empty = if_empty or auto
        reports = settings.SIGAP_DEMO_REPORTS if reports is None else reports
        citizens = settings.SIGAP_DEMO_CITIZENS if citizens is None else citizens
        if settings.PRODUCTION:
            raise CommandError("demo-data never runs in production (SIGAP_ENV=production).")
        if reports < 0 or citizens < 0:
            raise CommandError("--reports and --citizens must not be negative.")
        code = city or settings.SIGAP_DEFAULT_CITY
        target = City.objects.filter(code=code).first()
        if target is None:
            raise CommandError(f"No city {code!r}: run `sigap setup` or `sigap loadcity` first.")
        if if_empty and Report.objects.filter(city=target).exists():
            self.stdout.write("Demo data: the city has reports already; nothing loaded.")
            return
        now = timezone.now()
        year = year or now.astimezone(target.tz).year
        self.stdout.write(f"Loading a demo history of {target.name} {year} "
                          f"({reports} reports, {citizens} citizens) …")
        began = time.monotonic()
        try:
            result = history.generate(target, reports=reports, citizens=citizens, year=year,
                                      seed=seed, now=now, fork_writer=fork_writer)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        took = time.monotonic() - began
        cpu = time.process_time()
        writer = resource.getrusage(resource.RUSAGE_CHILDREN)  # the forked writer, if any
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(result.by_status.items()))
        self.stdout.write(self.style.SUCCESS(
            f"Demo history of {target.name} {year}: {result.reports} reports, "
            f"{result.events} events, {result.supports} supports, {result.citizens} new "
            f"citizens in {took:.1f} s ({statuses}); CPU {cpu:.0f} s here, "
            f"{writer.ru_utime + writer.ru_stime:.0f} s in the writer"))
