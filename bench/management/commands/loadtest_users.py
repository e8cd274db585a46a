"""Accounts and targets for `make loadtest`, in a benchmark database only: one safety officer per
sampled enterprise, regional reviewers and a federal reviewer, all with one known password, and
for each officer a few of the enterprise's workplaces and register rows to visit. Writes them to
a JSON file the locustfile reads."""

import json
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand

from bench.management.commands.generate_bench_data import check_bench_database
from enterprises.models import Enterprise, Region, Role, User, Workplace
from hazards.models import Hazard, HazardStatus

PASSWORD = "loadtest-2026-only"


class Command(BaseCommand):
    help = "Create the load test's users in a benchmark database and write their targets to a file."

    def add_arguments(self, parser):
        parser.add_argument("--officers", type=int, default=60)
        parser.add_argument("--output", default="var/loadtest-users.json")

    def handle(self, *args, officers, output, **options):
        check_bench_database()
        password = make_password(PASSWORD)  # hashed once: every account shares it
        enterprises = list(Enterprise.objects.order_by("pk")[:officers])
        people = {"officers": [], "regional": [], "federal": []}
        for enterprise in enterprises:
            user = self._user(f"lt-officer-{enterprise.pk}", Role.OFFICER, password, enterprise=enterprise)
            workplaces = list(
                Workplace.objects.filter(enterprise=enterprise)
                .order_by("pk")
                .values_list("pk", flat=True)[:5]
            )
            rows = list(
                Hazard.objects.filter(enterprise=enterprise, status=HazardStatus.ACTIVE)
                .order_by("pk")
                .values_list("pk", flat=True)[:10]
            )
            people["officers"].append(
                {
                    "username": user.username,
                    "enterprise": enterprise.pk,
                    "workplaces": workplaces,
                    "rows": rows,
                }
            )
        for region in Region.objects.filter(enterprises__isnull=False).distinct().order_by("code")[:10]:
            user = self._user(f"lt-region-{region.code}", Role.REGIONAL_REVIEWER, password, region=region)
            people["regional"].append({"username": user.username, "region": region.code})
        user = self._user("lt-federal", Role.FEDERAL_REVIEWER, password)
        people["federal"].append({"username": user.username})
        people["password"] = PASSWORD
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(people, indent=1))
        self.stdout.write(
            f"{len(people['officers'])} officers, {len(people['regional'])} regional reviewers, "
            f"1 federal reviewer -> {output}"
        )

    def _user(self, username, role, password, **scope) -> User:
        user, _created = User.objects.update_or_create(
            username=username, defaults={"role": role, "password": password, "is_active": True, **scope}
        )
        return user
