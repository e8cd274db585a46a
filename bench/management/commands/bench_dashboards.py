"""The dashboards' benchmark (`make bench`): prepare a dedicated PostgreSQL database, fill it with a
synthetic national register (once per scale and seed), refresh the roll-ups, then time the
regional and federal dashboards and the register list through the full Django stack against the
same SQL run bare. Prints JSON and a table; writes bench-results.json (keys kept from other
benchmarks in the same file)."""

import json
import time
from pathlib import Path

import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from psycopg import sql

from assessments.models import ControlMeasure, Incident, RiskAssessment
from bench import benchdata, benchmark, benchmark_cards, benchmark_pdf
from bench.management.commands.generate_bench_data import check_bench_database
from dashboards import rollups
from dashboards.rollups import add_months, first_of_month
from enterprises.models import Enterprise, Region, Role, User, Workplace
from hazards.models import Hazard

TARGETS = {
    "dashboard_region_p95_ms": 150,
    "dashboard_federal_p95_ms": 250,
    "dashboard_region_vs_sql": 2,
    "report_enterprise_s": 3,
    "report_region_s": 20,
    "report_peak_mb": 600,
    "report_overhead": 1.15,
    "cards_enterprise_s": 60,
    "cards_peak_mb": 600,
}
RUNS = {"small": 20, "full": 40}


class Command(BaseCommand):
    help = "Benchmark the dashboards on a dedicated PostgreSQL database (DATABASE_URL=…/riskpilot_bench)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(benchdata.SCALES), default="full")
        parser.add_argument("--seed", type=int, default=776)
        parser.add_argument("--runs", type=int, help="Timed views per page (default: 20 small, 40 full).")
        parser.add_argument("--output", default="bench-results.json")
        parser.add_argument("--reset", action="store_true", help="Drop and recreate the benchmark database.")

    def handle(self, *args, **options):
        name = check_bench_database()
        self.prepare_database(name, reset=options["reset"])
        scale = benchdata.SCALES[options["scale"]]
        wanted = benchdata.marker(scale, options["seed"])
        if benchdata.current_marker() != wanted and Enterprise.objects.exists():
            self.stdout.write(f"{name} holds another data set: recreating it.")
            connection.close()
            self.prepare_database(name, reset=True)
        generated = time.monotonic()
        call_command("generate_bench_data", scale=options["scale"], seed=options["seed"], stdout=self.stdout)
        generation_s = time.monotonic() - generated

        self.stdout.write("Refreshing the roll-ups in full …")
        started = time.monotonic()
        rollups.refresh()
        full_refresh_s = time.monotonic() - started
        started = time.monotonic()
        rollups.refresh(enterprise_ids=rollups.changed_enterprise_ids(timezone.now()))
        changes_refresh_ms = (time.monotonic() - started) * 1000

        results = self.measure(options["scale"], options["runs"] or RUNS[options["scale"]])
        self.stdout.write("Rendering the PDF reports …")
        results.update(benchmark_pdf.measure())
        self.stdout.write("Putting a 300-workplace enterprise's risk assessment cards together …")
        results.update(benchmark_cards.measure())
        results["targets_met"] = {
            key: results.get(key) is not None and results[key] <= limit for key, limit in TARGETS.items()
        }
        results.update(
            {
                "generation_s": round(generation_s, 1),
                "rollup_full_refresh_s": round(full_refresh_s, 1),
                "rollup_changes_refresh_ms": round(changes_refresh_ms, 1),
            }
        )
        self.report(results, Path(options["output"]))

    def prepare_database(self, name: str, *, reset: bool) -> None:
        """Create (or recreate) the benchmark database, then migrate it."""
        params = connection.settings_dict
        server = {
            "dbname": "postgres",
            "user": params.get("USER") or None,
            "password": params.get("PASSWORD") or None,
            "host": params.get("HOST") or None,
            "port": params.get("PORT") or None,
        }
        connection.close()
        with psycopg.connect(**{k: v for k, v in server.items() if v}, autocommit=True) as admin:
            if reset:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                self.stdout.write(f"Created the database {name}.")
        call_command("migrate", interactive=False, verbosity=0)

    def measure(self, scale: str, runs: int) -> dict:
        region = (
            Region.objects.annotate(count=Count("enterprises")).order_by("-count", "code").first()
        )  # the largest region: the slowest regional dashboard
        if region is None:
            raise CommandError("No data to measure.")
        biggest = (
            Enterprise.objects.filter(region=region)
            .annotate(count=Count("hazards"))
            .order_by("-count", "pk")
            .first()
        )  # the region's largest register
        regional, _ = User.objects.get_or_create(
            username="bench-regional", defaults={"role": Role.REGIONAL_REVIEWER, "region": region}
        )
        regional.region = region
        regional.save()
        federal, _ = User.objects.get_or_create(
            username="bench-federal", defaults={"role": Role.FEDERAL_REVIEWER}
        )
        pages = [
            ("dashboard_region", regional, reverse("dashboards:region", args=[region.code])),
            ("dashboard_federal", federal, reverse("dashboards:federal")),
            ("dashboard_enterprise", regional, reverse("dashboards:enterprise", args=[biggest.pk])),
            # A month that has ended: its register figures are rebuilt from history, then cached
            # until the next roll-up run (the uncached cost is end_of_period_*).
            (
                "dashboard_region_ended_month",
                regional,
                reverse("dashboards:region", args=[region.code])
                + f"?period={add_months(first_of_month(timezone.localdate()), -1):%Y-%m}",
            ),
        ]
        try:
            pages.append(("register_list", regional, reverse("assessments:register", args=[biggest.pk])))
        except NoReverseMatch:
            self.stderr.write("The register list (assessments:register) does not exist yet: not measured.")

        results = {
            "scale": scale,
            "measured_at": timezone.now().isoformat(timespec="seconds"),
            "database": connection.settings_dict["NAME"],
            "regions": Region.objects.count(),
            "enterprises": Enterprise.objects.count(),
            "workplaces": Workplace.objects.count(),
            "hazards": Hazard.objects.count(),
            "assessments": RiskAssessment.objects.count(),
            "measures": ControlMeasure.objects.count(),
            "incidents": Incident.objects.count(),
            "region_measured": {
                "code": region.code,
                "enterprises": region.count,
                "hazards": Hazard.objects.filter(enterprise__region=region).count(),
            },
            "enterprise_measured": {"id": biggest.pk, "hazards": biggest.count},
            "runs": runs,
            "load_average_before": benchmark.load_average(),
        }
        client = Client(HTTP_HOST="127.0.0.1")
        # The roll-ups were just refreshed; the pages must not queue another refresh while timed.
        with override_settings(REPORTS_ROLLUP_MAX_AGE=7 * 24 * 3600):
            measured = []
            for name, user, url in pages:
                self.stdout.write(f"Timing {name}: {url}")
                client.force_login(user)
                measured.append(benchmark.measure_page(client, name, url, runs=runs))
        for page in measured:
            results.update(page.summary())
        results["queries_per_page"] = max(page.queries for page in measured)
        for name, region_id in (("live_sql_region", region.pk), ("live_sql_federal", None)):
            timings = benchmark.time_sql(benchmark.live_region_sql(region_id), runs=max(3, runs // 4))
            results[f"{name}_p50_ms"] = round(benchmark.percentile(timings, 0.5), 1)
        results["load_average_after"] = benchmark.load_average()
        results["targets"] = TARGETS
        results["targets_met"] = {
            key: results.get(key) is not None and results[key] <= limit for key, limit in TARGETS.items()
        }
        return results

    def report(self, results: dict, output: Path) -> None:
        existing = {}
        if output.exists():
            try:
                existing = json.loads(output.read_text())
            except ValueError:
                existing = {}
        existing.update(results)
        output.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
        header = f"{'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'SQL p50':>9}{'SQL p95':>9}"
        header += f"{'page/SQL':>10}{'queries':>9}"
        self.stdout.write("")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name in ("dashboard_region", "dashboard_federal", "dashboard_enterprise", "register_list"):
            if f"{name}_p50_ms" not in results:
                continue
            self.stdout.write(
                f"{name:<22}{results[f'{name}_p50_ms']:>9}{results[f'{name}_p95_ms']:>9}"
                f"{results[f'{name}_sql_p50_ms']:>9}{results[f'{name}_sql_p95_ms']:>9}"
                f"{results[f'{name}_vs_sql']:>10}{results[f'{name}_queries']:>9}"
            )
        self.stdout.write("")
        self.stdout.write(
            f"{results['assessments']:,} assessments, {results['hazards']:,} register rows, "
            f"{results['enterprises']:,} enterprises; region {results['region_measured']['code']} has "
            f"{results['region_measured']['enterprises']} enterprises. Full roll-up refresh "
            f"{results['rollup_full_refresh_s']} s. Live SQL for the same region: "
            f"{results['live_sql_region_p50_ms']} ms, for all regions: "
            f"{results['live_sql_federal_p50_ms']} ms."
        )
        self.stdout.write(
            f"PDF: enterprise report ({results['report_enterprise_rows']} rows, "
            f"{results['report_enterprise_pages']} pages) {results['report_enterprise_s']} s; "
            f"regional summary ({results['report_region_enterprises']} enterprises, "
            f"{results['report_region_rows']} rows, "
            f"{results['report_region_pages']} pages) {results['report_region_s']} s; peak "
            f"{results['report_peak_mb']} MB; total / WeasyPrint alone {results['report_overhead']} "
            f"(medians of {results['report_runs']} renders)."
        )
        if "cards_enterprise_s" in results:
            self.stdout.write(
                f"Cards: all {results['cards_enterprise_cards']} cards of one enterprise "
                f"({results['cards_enterprise_pages']} pages) as one PDF in "
                f"{results['cards_enterprise_s']} s, peak {results['cards_peak_mb']} MB."
            )
        self.stdout.write(
            f"End-of-period state from history (uncached): enterprise "
            f"{results['end_of_period_enterprise_ms']} ms, region {results['end_of_period_region_ms']} ms, "
            f"federal {results['end_of_period_federal_ms']} ms."
        )
        if results["scale"] != "full":
            self.stdout.write("  The targets apply at full scale (make bench): here the SQL takes a few ms.")
        for key, met in results["targets_met"].items():
            self.stdout.write(
                f"  {key} ≤ {results['targets'][key]}: {'met' if met else 'NOT met'} ({results[key]})"
            )
        self.stdout.write(f"Written to {output}.")
