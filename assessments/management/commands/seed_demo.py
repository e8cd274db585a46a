import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import DEMO_USERS, DemoDataError, seed_demo
from enterprises.models import User
from enterprises.okpdtr import classifier_load, seed_rows

LABELS = {
    "regions": "regions",
    "enterprises": "enterprises",
    "departments": "structural units",
    "workplaces": "workplaces",
    "hazards": "register rows",
    "assessments": "assessments",
    "measures": "control measures",
    "incidents": "incidents",
    "users": "users",
    "headcount_periods": "head-count months",
}


class Command(BaseCommand):
    help = (
        "Load the demo data (pilot regions, enterprises, registers, demo users). Idempotent: "
        "once the demo is loaded, running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even with RISKPILOT_ENV=production (e.g. a staging copy): the demo users' "
            "passwords are published in the README.",
        )

    def handle(self, *args, allow_production=False, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "RISKPILOT_ENV=production: the demo users have published passwords. "
                "Pass --allow-production to load the demo anyway (staging only)."
            )
        started = time.monotonic()
        # The classifier's seed too, should a flushed database have lost what migrate loaded.
        classifier_load(rows=seed_rows())
        try:
            counts = seed_demo(stdout=self.stdout if options["verbosity"] > 1 else None)
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        if any(counts.values()):
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.1f} s:"))
            for key, label in LABELS.items():
                self.stdout.write(f"  {label:<18} {counts[key]:>6}")
        else:
            self.stdout.write("The demo data is already loaded; nothing changed.")
        self._print_logins()

    def _print_logins(self):
        rows = []
        for data in DEMO_USERS:
            user = User.objects.select_related("enterprise", "region").filter(username=data.username).first()
            if user is None:
                continue
            scope = user.enterprise or user.region or "all enterprises"
            rows.append((data.username, data.password, str(user.get_role_display()), str(scope)))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("\nDemo logins (demo only, see README):")
        for row in rows:
            self.stdout.write(
                "  "
                + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
                + "  "
                + row[3]
            )
