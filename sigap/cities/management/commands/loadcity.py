from django.core.management.base import BaseCommand, CommandError

from sigap.cities import citypack


class Command(BaseCommand):
    help = "Load or update one or more city packs from data/<city>/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("cities", nargs="+", metavar="city",
                            help="pack names, e.g. kupang kabupaten-kupang jayapura")

    def handle(self, *args, cities, **options):
        available = citypack.available_packs()
        unknown = [code for code in cities if code not in available]
        if unknown:
            raise CommandError(f"No city pack {', '.join(map(repr, unknown))}; "
                               f"available: {available}")
        # Each pack in its own transaction: a broken pack leaves the ones before it loaded.
        for city in dict.fromkeys(cities):
            result = citypack.load_pack(city)
            if not result.changed:
                self.stdout.write(f"City pack {city}: already up to date.")
                continue
            self.stdout.write(
                f"City pack {city}: created {result.created}, updated {result.updated}")
