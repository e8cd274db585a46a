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
from django.db.models import Count, F
from django.db.models.functions import Abs
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from psycopg import sql

from assessments.models import ControlMeasure, Incident, RiskAssessment
from bench import benchdata, benchmark, benchmark_api, benchmark_cards, benchmark_pdf
from bench.management.commands.generate_bench_data import check_bench_database
from dashboards import rollups
from dashboards.rollups import add_months, first_of_month
from enterprises.models import Enterprise, Region, Role, User, Workplace
from hazards.models import Hazard

# The register list in each of the variants officers use most: as opened, one level, a search, a
# sort by the next review (issue #14: p95 ≤ 50 ms and page/SQL ≤ 1.5 each).
REGISTER_VARIANTS = {
    "default": "",
    "level": "?level=4",
    "search": "?q=падение",
    "next_review": "?sort=next_review",
}
REGISTER_PAGES = [f"register_list_{variant}" for variant in REGISTER_VARIANTS]
# The pages compared between the two scales: none may grow with the size of the database.
SCALED_PAGES = [
    "dashboard_region",
    "dashboard_region_ack_sout",
    "dashboard_federal",
    "dashboard_enterprise",
    *REGISTER_PAGES,
    "workplace_page",
    "register_row",
]
# The pages above time the largest region and register of each scale: 239 enterprises against
# 18, 3,295 rows against a few hundred, so they grow with what they show. Whether a page grows
# with the size of the database is seen on a region and a register of the same size at both
# scales: the region with the number of enterprises nearest SAME_SIZE_ENTERPRISES, the enterprise
# with the register nearest SAME_SIZE_ROWS (both sizes exist at either scale).
SAME_SIZE_ENTERPRISES = 10
SAME_SIZE_ROWS = 400
SAME_SIZE = "_same_size"
SAME_SIZE_PAGES = [
    "dashboard_region",
    "dashboard_region_ack_sout",
    "dashboard_enterprise",
    *REGISTER_PAGES,
]
COMPARED_PAGES = [*SCALED_PAGES, *(f"{page}{SAME_SIZE}" for page in SAME_SIZE_PAGES)]
# What a page with the layout alone costs (the API tokens page: session, user, three queries):
# the floor under every page's time, reported beside page/SQL.
LAYOUT_PAGE = "layout_only"
TARGETS = {
    "dashboard_region_p95_ms": 50,
    "dashboard_region_vs_sql": 1.5,
    "dashboard_region_ack_sout_p95_ms": 50,
    "dashboard_federal_p95_ms": 50,
    "dashboard_enterprise_p95_ms": 50,
    **{f"{page}_p95_ms": 50 for page in REGISTER_PAGES},
    **{f"{page}_vs_sql": 1.5 for page in REGISTER_PAGES},
    "workplace_page_p95_ms": 30,
    "register_row_p95_ms": 30,
    "report_enterprise_s": 3,
    "report_region_s": 20,
    "report_peak_mb": 600,
    "report_overhead": 1.15,
    "cards_enterprise_s": 60,
    "cards_peak_mb": 600,
    **benchmark_api.TARGETS,
}
# A page at full scale (1M rows) against the same page at SCALE=small (13,000 rows), p50 / p50.
FULL_VS_SMALL_TARGET = 1.3
RUNS = {"small": 20, "full": 40}


class Command(BaseCommand):
    help = "Benchmark the dashboards on a dedicated PostgreSQL database (DATABASE_URL=…/riskpilot_bench)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(benchdata.SCALES), default="full")
        parser.add_argument("--seed", type=int, default=776)
        parser.add_argument("--runs", type=int, help="Timed views per page (default: 20 small, 40 full).")
        parser.add_argument("--output", default="bench-results.json")
        parser.add_argument("--reset", action="store_true", help="Drop and recreate the benchmark database.")
        parser.add_argument(
            "--pages-only", action="store_true", help="Time the pages only: no PDF reports, no cards."
        )

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

        self.fill_search_texts()
        results = self.measure(options["scale"], options["runs"] or RUNS[options["scale"]])
        if not options["pages_only"]:
            self.stdout.write("Rendering the PDF reports …")
            results.update(benchmark_pdf.measure())
            self.stdout.write("Putting a 300-workplace enterprise's risk assessment cards together …")
            results.update(benchmark_cards.measure())
        self.stdout.write("Timing the HTTP API …")
        results.update(benchmark_api.measure(runs=options["runs"] or RUNS[options["scale"]]))
        output = Path(options["output"])
        results.update(compare_scales(results, output))
        targets = {
            **TARGETS,
            **full_vs_small_targets(results),
        }
        if options["pages_only"]:
            targets = {
                key: limit for key, limit in targets.items() if not key.startswith(("report_", "cards_"))
            }
        results["targets"] = targets
        results["targets_met"] = {
            key: results.get(key) is not None and results[key] <= limit for key, limit in targets.items()
        }
        results.update(
            {
                "generation_s": round(generation_s, 1),
                "rollup_full_refresh_s": round(full_refresh_s, 1),
                "rollup_changes_refresh_ms": round(changes_refresh_ms, 1),
            }
        )
        self.report(results, output)

    def fill_search_texts(self) -> None:
        """The generator writes no search texts (hazards.search): fill them once, in one UPDATE, from
        the row's own text, its event and its workplace, so that the register's search is timed on
        a full index as in use (measures and comments, also in the text in use, are left out)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM hazards_hazard WHERE search_text = '')")
            if not cursor.fetchone()[0]:
                return
            self.stdout.write("Filling the register rows' search texts …")
            cursor.execute(SEARCH_TEXT_SQL)
            cursor.execute("ANALYZE hazards_hazard")

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
        officer, _ = User.objects.get_or_create(
            username="bench-officer", defaults={"role": Role.OFFICER, "enterprise": biggest}
        )
        officer.enterprise = biggest
        officer.save()
        # The enterprise's workplace with the most rows, and its row with the most assessments.
        workplace = (
            Workplace.objects.filter(enterprise=biggest)
            .annotate(count=Count("hazards"))
            .order_by("-count", "pk")
        ).first()
        row = (
            Hazard.objects.filter(enterprise=biggest)
            .annotate(count=Count("assessments"))
            .order_by("-count", "pk")
        ).first()
        pages = [
            ("dashboard_region", regional, reverse("dashboards:region", args=[region.code])),
            # The dashboard's table of acknowledgement, SOUT and plans, counted live from the
            # register and loaded when the reader scrolls to it: timed as its own page.
            (
                "dashboard_region_ack_sout",
                regional,
                reverse("dashboards:region_acknowledgement_sout", args=[region.code]),
            ),
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
        register = reverse("assessments:register", args=[biggest.pk])
        pages += [
            (f"register_list_{variant}", officer, register + query)
            for variant, query in REGISTER_VARIANTS.items()
        ]
        pages += [
            ("workplace_page", officer, reverse("assessments:workplace", args=[workplace.pk])),
            ("register_row", officer, reverse("assessments:hazard", args=[row.pk])),
            (LAYOUT_PAGE, officer, reverse("api_tokens:list")),
        ]
        same_region, same_enterprise = same_size_subjects()
        same_regional, _ = User.objects.update_or_create(
            username="bench-regional-same-size",
            defaults={"role": Role.REGIONAL_REVIEWER, "region": same_region},
        )
        same_officer, _ = User.objects.update_or_create(
            username="bench-officer-same-size", defaults={"role": Role.OFFICER, "enterprise": same_enterprise}
        )
        same_register = reverse("assessments:register", args=[same_enterprise.pk])
        pages += [
            (
                f"dashboard_region{SAME_SIZE}",
                same_regional,
                reverse("dashboards:region", args=[same_region.code]),
            ),
            (
                f"dashboard_region_ack_sout{SAME_SIZE}",
                same_regional,
                reverse("dashboards:region_acknowledgement_sout", args=[same_region.code]),
            ),
            (
                f"dashboard_enterprise{SAME_SIZE}",
                federal,
                reverse("dashboards:enterprise", args=[same_enterprise.pk]),
            ),
            *(
                (f"register_list_{variant}{SAME_SIZE}", same_officer, same_register + query)
                for variant, query in REGISTER_VARIANTS.items()
            ),
        ]

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
            "same_size_region_measured": {"code": same_region.code, "enterprises": same_region.count},
            "same_size_enterprise_measured": {"id": same_enterprise.pk, "hazards": same_enterprise.count},
            "workplace_measured": {"id": workplace.pk, "hazards": workplace.count},
            "row_measured": {"id": row.pk, "assessments": row.count},
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
        header = f"{'page':<38}{'p50 ms':>9}{'p95 ms':>9}{'SQL p50':>9}{'SQL p95':>9}"
        header += f"{'page/SQL':>10}{'queries':>9}"
        self.stdout.write("")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name in [*COMPARED_PAGES, LAYOUT_PAGE]:
            if f"{name}_p50_ms" not in results:
                continue
            self.stdout.write(
                f"{name:<38}{results[f'{name}_p50_ms']:>9}{results[f'{name}_p95_ms']:>9}"
                f"{results[f'{name}_sql_p50_ms']:>9}{results[f'{name}_sql_p95_ms']:>9}"
                f"{results[f'{name}_vs_sql']:>10}{results[f'{name}_queries']:>9}"
            )
        self.stdout.write("")
        self.stdout.write(
            f"{results['assessments']:,} assessments, {results['hazards']:,} register rows, "
            f"{results['enterprises']:,} enterprises; region {results['region_measured']['code']} has "
            f"{results['region_measured']['enterprises']} enterprises, the largest register "
            f"{results['enterprise_measured']['hazards']:,} rows; same size at both scales: region "
            f"{results['same_size_region_measured']['code']} with "
            f"{results['same_size_region_measured']['enterprises']} enterprises, a register of "
            f"{results['same_size_enterprise_measured']['hazards']} rows. Full roll-up refresh "
            f"{results['rollup_full_refresh_s']} s. Live SQL for the same region: "
            f"{results['live_sql_region_p50_ms']} ms, for all regions: "
            f"{results['live_sql_federal_p50_ms']} ms."
        )
        if "report_enterprise_s" in results:
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
                f"{results['cards_enterprise_s']} s on {results.get('cards_enterprise_processes', 1)} "
                f"processes, peak {results['cards_peak_mb']} MB (the largest process)."
            )
        if "end_of_period_enterprise_ms" in results:
            self.stdout.write(
                f"End-of-period state from history (uncached): enterprise "
                f"{results['end_of_period_enterprise_ms']} ms, "
                f"region {results['end_of_period_region_ms']} ms, "
                f"federal {results['end_of_period_federal_ms']} ms."
            )
        if results["scale"] != "full":
            self.stdout.write("  The targets apply at full scale (make bench): here the SQL takes a few ms.")
        compared = [
            f"{page} {results[f'{page}_full_vs_small']}"
            for page in COMPARED_PAGES
            if f"{page}_full_vs_small" in results
        ]
        if compared:
            self.stdout.write(f"Full scale / small scale (p50): {', '.join(compared)}.")
        for key, met in results["targets_met"].items():
            self.stdout.write(
                f"  {key} ≤ {results['targets'][key]}: {'met' if met else 'NOT met'} ({results[key]})"
            )
        self.stdout.write(f"Written to {output}.")


# The search text of hazards.search.document (casefolded, ё as е, single spaces) from the row's own
# fields, its event and its workplace, for the rows the generator left without one.
SEARCH_TEXT_SQL = """
UPDATE hazards_hazard h SET search_text = regexp_replace(translate(lower(concat_ws(' ', e.code,
    e.name_ru, e.name_en, '№ ' || w.number, w.position, h.source, h.object_description,
    h.exposed_description, h.existing_controls)), 'ё', 'е'), '\\s+', ' ', 'g')
FROM hazards_hazardousevent e, enterprises_workplace w
WHERE e.id = h.event_id AND w.id = h.workplace_id AND h.search_text = ''
"""


def same_size_subjects() -> tuple[Region, Enterprise]:
    """The region with the number of enterprises nearest SAME_SIZE_ENTERPRISES and the enterprise
    with the register nearest SAME_SIZE_ROWS, each annotated with its ``count``."""
    region = (
        Region.objects.annotate(count=Count("enterprises"))
        .filter(count__gt=0)
        .annotate(distance=Abs(F("count") - SAME_SIZE_ENTERPRISES))
        .order_by("distance", "code")
        .first()
    )
    enterprise = (
        Enterprise.objects.annotate(count=Count("hazards"))
        .annotate(distance=Abs(F("count") - SAME_SIZE_ROWS))
        .order_by("distance", "pk")
        .first()
    )
    return region, enterprise


def full_vs_small_targets(results: dict) -> dict:
    """The full/small target applies to a page's same-size comparison where it has one (the page
    of the largest region or register grows with what it shows), else to the page itself."""
    keys = [f"{page}{SAME_SIZE}" if page in SAME_SIZE_PAGES else page for page in SCALED_PAGES]
    return {f"{key}_full_vs_small": FULL_VS_SMALL_TARGET for key in keys if f"{key}_full_vs_small" in results}


def results_file(output: Path, scale: str) -> Path:
    """Each scale's figures are also kept in a file of its own beside ``output``
    (bench-results-small.json, bench-results-full.json), for the comparison of the two."""
    return output.with_name(f"{output.stem}-{scale}{output.suffix}")


def compare_scales(results: dict, output: Path) -> dict:
    """Each page's p50 at full scale over its p50 at SCALE=small (``<page>_full_vs_small``), from
    this run and the other scale's last figures, if that scale was measured; then keep this run's."""
    scale = results["scale"]
    results_file(output, scale).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    other = results_file(output, "small" if scale == "full" else "full")
    if scale not in ("small", "full") or not other.exists():
        return {}
    try:
        measured = {scale: results, "small" if scale == "full" else "full": json.loads(other.read_text())}
    except ValueError:
        return {}
    ratios = {"full_vs_small_measured_at": {name: data.get("measured_at") for name, data in measured.items()}}
    for page in COMPARED_PAGES:
        full, small = measured["full"].get(f"{page}_p50_ms"), measured["small"].get(f"{page}_p50_ms")
        if full and small:
            ratios[f"{page}_full_vs_small"] = round(full / small, 2)
    return ratios
