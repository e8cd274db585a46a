"""Rebuild the register rows' search text (for rows written without the services, such as the
benchmark's generated data, which is copied straight into the tables)."""

from django.core.management.base import BaseCommand

from assessments.search import BATCH, hazards_search_refresh
from hazards.models import Hazard


class Command(BaseCommand):
    help = "Rewrite the search text of every register row whose text is out of date."

    def handle(self, *args, **options):
        changed = total = 0
        last = 0
        while True:
            ids = list(Hazard.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            changed += hazards_search_refresh(ids)
            total += len(ids)
            last = ids[-1]
        self.stdout.write(f"{changed} of {total} register row(s) had their search text rewritten.")
