from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sigap.lib import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive (safe while running)."

    def add_arguments(self, parser):
        parser.add_argument("output", nargs="?", help="archive path (default var/backups/...)")
        parser.add_argument("--keep", type=int, default=0,
                            help="then delete all but the newest KEEP archives of its folder "
                                 "(the scheduled backup: deploy/systemd/sigap-backup.service)")

    def handle(self, *args, output=None, keep=0, **options):
        from django.conf import settings

        now = timezone.now()
        path = Path(output) if output else (
            Path(settings.VAR_DIR) / "backups" / f"sigap-{now:%Y%m%dT%H%M%SZ}.tar")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            manifest = backup.backup(path, now=now)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"{path}: {manifest['engine']}, {len(manifest['tables'])} tables, "
                          f"{rows} rows, {len(manifest['media'])} files "
                          f"({manifest['media_storage']} storage)")
        if keep:
            for old in backup.prune(path.parent, keep):
                self.stdout.write(f"deleted {old} (keeping the newest {keep})")
