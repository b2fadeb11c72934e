"""`sigap democode`: the demo accounts' current two-step code (for a newcomer without a phone)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from sigap.accounts import demo


class Command(BaseCommand):
    help = "Print the current two-step code of the demo accounts (made by `sigap setup`)."

    def handle(self, *args, **options):
        key_file = Path(settings.VAR_DIR) / "demo-authenticator-key.txt"
        if not key_file.exists():
            raise CommandError(f"No demo accounts here ({key_file} is missing): run `sigap setup`.")
        device = demo.authenticator(key_file.read_text().strip())
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
