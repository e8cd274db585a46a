"""Render one report to a file, in this process (no broker needed):

python manage.py render_report --enterprise 7707083893 --period 2026-10 --language ru --output report.pdf
python manage.py render_report --federal --period 2026-Q3 --output federal.pdf
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from enterprises.models import Enterprise, Region
from reports import pdf, services
from reports.models import Report, ReportLanguage, ReportType


class Command(BaseCommand):
    help = "Render one PDF report to a file (and keep it as the stored report of its key)."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--enterprise", help="The enterprise's id or INN.")
        scope.add_argument("--region", help="The region's code (a regional summary).")
        scope.add_argument("--federal", action="store_true", help="The federal summary (every region).")
        parser.add_argument("--period", required=True, help="A month (2026-10) or a quarter (2026-Q4).")
        parser.add_argument("--quarter", action="store_true", help="The quarter that holds --period's month.")
        parser.add_argument("--language", default="ru", choices=ReportLanguage.values)
        parser.add_argument("--output", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--regenerate", action="store_true", help="Render a new version even if one exists."
        )

    def handle(self, *args, **options):
        try:
            period = pdf.parse_period(options["period"], quarter=options["quarter"])
        except ValueError as error:
            raise CommandError(
                f"--period must look like 2026-10 or 2026-Q4, not {options['period']!r}"
            ) from error
        if options["enterprise"]:
            value = options["enterprise"]
            lookup = Q(inn=value) | Q(pk=int(value)) if value.isdigit() and len(value) < 10 else Q(inn=value)
            scope = Enterprise.objects.select_related("region").filter(lookup).first()
            kind = ReportType.ENTERPRISE
        elif options["region"]:
            scope = Region.objects.filter(code=options["region"]).first()
            kind = ReportType.REGION
        else:
            scope, kind = None, ReportType.FEDERAL
        if scope is None and kind != ReportType.FEDERAL:
            raise CommandError("No such enterprise or region.")
        report, _queued = services.report_request(
            type=kind,
            scope=scope,
            period=period,
            language=options["language"],
            regenerate=options["regenerate"],
        )
        # Without a broker the request above has rendered it already; with one, render here anyway
        # (report_render is idempotent: a worker that gets there first leaves nothing to do).
        report = services.report_render(report=Report.objects.get(pk=report.pk))
        with report.file.open("rb") as source:
            content = source.read()
        Path(options["output"]).write_bytes(content)
        self.stdout.write(
            f"{report}: {report.pages} pages, {report.size} bytes, {report.render_seconds} s"
            f" -> {options['output']}"
        )
