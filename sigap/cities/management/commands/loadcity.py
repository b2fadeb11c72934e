from django.core.management.base import BaseCommand, CommandError

from sigap.cities import citypack


class Command(BaseCommand):
    help = "Load or update a city pack from data/<city>/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("city", help="pack name, e.g. kupang")

    def handle(self, *args, city, **options):
        if city not in citypack.available_packs():
            raise CommandError(f"No city pack {city!r}; available: {citypack.available_packs()}")
        result = citypack.load_pack(city)
        if not result.changed:
            self.stdout.write(f"City pack {city}: already up to date.")
            return
        self.stdout.write(f"City pack {city}: created {result.created}, updated {result.updated}")
