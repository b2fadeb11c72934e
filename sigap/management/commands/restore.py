from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sigap.lib import backup


class Command(BaseCommand):
    help = "Replace the database and the uploaded files with a backup (stop the server first)."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive, yes=False, **options):
        if not yes and input("Replace ALL current data with this backup? [y/N] ").lower() != "y":
            raise CommandError("not restored")
        try:
            manifest = backup.restore(Path(archive))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored {archive} ({manifest['created_at']}): "
                          f"{sum(manifest['tables'].values())} rows, "
                          f"{len(manifest['media'])} files")
