"""Fill a benchmark database with a national-scale synthetic register (PostgreSQL, COPY).

Idempotent per data set: run again with the same scale and seed it does nothing; on a database that
already holds anything else it refuses (recreate the database, or let `manage.py bench_dashboards
--reset` do it). It writes only to a database whose name contains "bench", never to the development
or test database.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from bench import benchdata
from enterprises.models import Enterprise


def check_bench_database(allow_any: bool = False) -> str:
    if connection.vendor != "postgresql":
        raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…/riskpilot_bench.")
    name = connection.settings_dict["NAME"]
    if "bench" not in name and not allow_any:
        raise CommandError(
            f"Refusing to write benchmark data into “{name}”: use a database whose name contains "
            "“bench” (e.g. riskpilot_bench), never the development or test database."
        )
    return name


class Command(BaseCommand):
    help = "Generate a synthetic national-scale register for the dashboards' benchmark (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(benchdata.SCALES), default="full")
        parser.add_argument("--enterprises", type=int, help="Overrides the scale's number of enterprises.")
        parser.add_argument("--regions", type=int)
        parser.add_argument("--workplaces", type=int, help="Mean workplaces per enterprise.")
        parser.add_argument("--hazards", type=int, help="Mean register rows per workplace.")
        parser.add_argument("--seed", type=int, default=776)
        parser.add_argument("--batch", type=int, default=100, help="Enterprises per COPY batch.")
        parser.add_argument("--allow-any-database", action="store_true")

    def handle(self, *args, **options):
        name = check_bench_database(options["allow_any_database"])
        preset = benchdata.SCALES[options["scale"]]
        scale = benchdata.Scale(
            enterprises=options["enterprises"] or preset.enterprises,
            regions=min(options["regions"] or preset.regions, 99),
            workplaces_per_enterprise=options["workplaces"] or preset.workplaces_per_enterprise,
            hazards_per_workplace=options["hazards"] or preset.hazards_per_workplace,
        )
        wanted = benchdata.marker(scale, options["seed"])
        if benchdata.current_marker() == wanted:
            self.stdout.write(f"{name} already holds this data set ({wanted}); nothing to do.")
            return
        if Enterprise.objects.exists():
            raise CommandError(
                f"{name} already holds other data; recreate the database (or run "
                "`manage.py bench_dashboards --reset`) to generate a new data set."
            )
        self.stdout.write(f"Generating into {name}: {wanted}")
        with transaction.atomic():
            counts = benchdata.Generator(
                scale, options["seed"], batch=options["batch"], progress=self.stdout.write
            ).run()
            benchdata.set_marker(wanted)
        seconds = counts.pop("seconds")
        total = sum(counts.values())
        for table, count in counts.items():
            self.stdout.write(f"  {table:<32} {count:>10,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{total:,} rows in {seconds:.1f} s: {total / max(seconds, 0.001):,.0f} rows/s"
            )
        )
