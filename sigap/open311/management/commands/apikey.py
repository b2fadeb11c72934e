"""`sigap apikey create NAME [--rate N]` prints a new Open311 API key; `revoke PREFIX`."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sigap.open311.models import ApiKey


class Command(BaseCommand):
    help = "Issue or revoke Open311 API keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a key and print it (shown only once).")
        create.add_argument("name", help="The application the key is for.")
        create.add_argument("--rate", type=int, default=60, help="POST requests per minute.")
        create.add_argument("--contact", default="")
        revoke = sub.add_parser("revoke", help="Revoke the key(s) with this prefix.")
        revoke.add_argument("prefix")
        sub.add_parser("list", help="List keys (prefixes only).")

    def handle(self, *args, action, **options):
        now = timezone.now()
        if action == "create":
            if options["rate"] < 1:
                raise CommandError("--rate must be at least 1")
            _key, raw = ApiKey.issue(options["name"], now=now, rate_per_minute=options["rate"],
                                     contact=options["contact"])
            self.stdout.write(raw)
        elif action == "revoke":
            keys = list(ApiKey.objects.active().filter(prefix=options["prefix"]))
            if not keys:
                raise CommandError(f"No active key with prefix {options['prefix']!r}")
            for key in keys:
                key.revoke(now=now)
            self.stdout.write(f"Revoked {len(keys)} key(s).")
        else:
            for key in ApiKey.objects.all():
                state = "active" if key.is_active else "revoked"
                self.stdout.write(f"{key.prefix}\t{key.name}\t{key.rate_per_minute}/min\t{state}")
