"""`sigap setup`: everything `make serve` needs before the server starts (idempotent)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from sigap.accounts import demo
from sigap.cities import citypack
from sigap.cities.models import City


class Command(BaseCommand):
    help = ("Migrate, load every city pack not yet loaded (the default city first), create "
            "demo accounts and, on an empty database, a demo history of the year so far.")

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true",
                            help="skip demo accounts and demo data")
        parser.add_argument("--packs", nargs="+", metavar="CODE",
                            help="load only these city packs (default: every pack in data/)")
        parser.add_argument("--demo-data-later", action="store_true",
                            help="leave the demo history to `sigap demo-data --auto`, which "
                                 "make serve runs beside the server")

    def handle(self, *args, no_demo=False, demo_data_later=False, packs=None, **options):
        Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        code = settings.SIGAP_DEFAULT_CITY
        # Every pack in data/ serves its place (routing by place: docs/decisions/0012); a pack
        # already loaded is left to `sigap loadcity`, which updates it in place.
        loaded = set(City.objects.values_list("code", flat=True))
        wanted = packs or citypack.available_packs()
        missing = sorted((p for p in wanted if p not in loaded), key=lambda p: p != code)
        if missing:
            self.stdout.write(f"Loading city packs {', '.join(missing)} …")
            call_command("loadcity", *missing)
        if no_demo:
            return
        city = City.objects.get(code=code)
        password = os.environ.get("SIGAP_DEMO_PASSWORD", "")
        stored = Path(settings.VAR_DIR) / "demo-password.txt"
        if not password:
            if stored.exists():
                password = stored.read_text().strip()
            else:
                password = demo.new_password()
                stored.write_text(password + "\n")
                stored.chmod(0o600)
        key_file = Path(settings.VAR_DIR) / "demo-authenticator-key.txt"
        if key_file.exists():
            key = key_file.read_text().strip()
        else:
            key = demo.new_authenticator_key()
            key_file.write_text(key + "\n")
            key_file.chmod(0o600)
        created = demo.ensure_demo_accounts(city, password, key)
        if created:
            self.stdout.write(self.style.SUCCESS(
                f"Demo accounts created ({len(created)}): admin, executive, "
                "dispatcher-<agency>, head-<agency>, officer-<agency>-1/-2"))
        if not os.environ.get("SIGAP_DEMO_PASSWORD"):
            self.stdout.write(self.style.WARNING(
                f"Demo password: {password}   (kept in {stored}; "
                "set SIGAP_DEMO_PASSWORD to choose)"))
        # Every staff account passes a second factor (docs/decisions/0008); the demo accounts
        # share one authenticator key, so that one scan lets a newcomer try every role.
        self.stdout.write(self.style.WARNING(
            "Demo two-step verification: scan this QR code once with an authenticator app "
            "(Google Authenticator, Aegis, FreeOTP); its 6-digit code opens every demo "
            f"account after the password. Without a phone: `sigap democode`. (Key kept in "
            f"{key_file}.)"))
        self.stdout.write(demo.terminal_qr(key))
        if not demo_data_later:
            # Only into a city without reports: a second run (or a real city) is left alone;
            # never in production, nor with SIGAP_DEMO_DATA=0.
            call_command("demo-data", auto=True, stdout=self.stdout)
