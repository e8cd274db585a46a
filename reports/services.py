"""Business actions of the reports app: request a PDF report (the row first, then the task, on
commit) and render one (called by the Celery task and the render_report command)."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from dashboards import rollups
from enterprises.models import Enterprise, Region
from riskpilot.celery import task_named

from . import pdf
from .models import Delivery, Report, ReportStatus, ReportType

logger = logging.getLogger(__name__)


def scope_key(*, type: str, enterprise: Enterprise | None = None, region: Region | None = None) -> str:
    if type == ReportType.ENTERPRISE:
        return f"enterprise:{enterprise.pk}"
    if type == ReportType.REGION:
        return f"region:{region.code}"
    return "federal"


@transaction.atomic
def report_request(
    *,
    type: str,
    scope: Enterprise | Region | None,
    period: pdf.ReportPeriod,
    language: str,
    user=None,
    regenerate: bool = False,
) -> tuple[Report, bool]:
    """The report of this (type, scope, period, language): the existing one, or a new row queued
    for rendering. With ``regenerate`` a new version is made. Returns (report, queued).

    The row is written before anything is queued, and the task is queued only when the transaction
    commits: a report is never owed to the broker alone. A failed report is queued again."""
    enterprise = scope if type == ReportType.ENTERPRISE else None
    region = scope if type == ReportType.REGION else None
    key = scope_key(type=type, enterprise=enterprise, region=region)
    same = Report.objects.select_for_update().filter(
        type=type, scope_key=key, period_start=period.start, period_end=period.end, language=language
    )
    latest = same.order_by("-version").first()
    if latest is not None and not regenerate:
        if latest.status != ReportStatus.FAILED:
            return latest, False
        latest.status = ReportStatus.QUEUED
        latest.error = ""
        latest.save(update_fields=["status", "error", "updated_at"])
        _enqueue(latest)
        return latest, True
    _check_quota(user)
    version = (same.aggregate(latest=Max("version"))["latest"] or 0) + 1
    try:
        with transaction.atomic():
            report = Report.objects.create(
                type=type,
                scope_key=key,
                enterprise=enterprise,
                region=region,
                period_start=period.start,
                period_end=period.end,
                language=language,
                version=version,
                requested_by=user,
            )
    except IntegrityError:
        # Another request created the same key between our read and our insert (SQLite has no
        # row lock to wait on; PostgreSQL's lock covers only rows that already existed).
        return same.order_by("-version").first(), False
    _enqueue(report)
    return report, True


class QuotaExceeded(ValidationError):
    """The user has ordered as many renders as REPORTS_ORDERS_PER_HOUR allows, until ``free_at``:
    when the oldest of those orders leaves the hour."""

    def __init__(self, message, code=None, params=None, *, free_at: datetime.datetime):
        super().__init__(message, code, params)
        self.free_at = free_at


def _check_quota(user) -> None:
    """Every report or new version a person orders counts against REPORTS_ORDERS_PER_HOUR; one
    already made is shown without counting, and the schedule's own renders (no user) are not
    limited. The rows themselves are the record: no counter to lose when the cache is down."""
    if user is None:
        return
    limit = settings.REPORTS_ORDERS_PER_HOUR
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = list(
        Report.objects.filter(requested_by=user, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        free_at = timezone.localtime(recent[-1] + datetime.timedelta(hours=1))
        raise QuotaExceeded(
            _("You have ordered %(limit)s reports in the last hour, the most allowed. Try again at %(time)s.")
            % {"limit": limit, "time": f"{free_at:%H:%M}"},
            code="quota",
            free_at=free_at,
        )


# What sending a task raises when the broker (Redis) cannot be reached.
BROKER_UNREACHABLE = (KombuOperationalError, RedisError, OSError)


def _enqueue(report: Report) -> None:
    render_report = task_named("reports.tasks.render_report")

    render_report.delay_on_commit(report.pk)


def report_latest(*, type: str, scope: Enterprise | Region | None, period: pdf.ReportPeriod, language: str):
    """The newest version of a report, if any."""
    key = scope_key(
        type=type,
        enterprise=scope if type == ReportType.ENTERPRISE else None,
        region=scope if type == ReportType.REGION else None,
    )
    return (
        Report.objects.filter(
            type=type, scope_key=key, period_start=period.start, period_end=period.end, language=language
        )
        .order_by("-version")
        .first()
    )


def report_render(*, report: Report) -> Report:
    """Render the report's PDF and store it. Safe to call twice: a ready report is returned as it
    is. The status moves queued → rendering → ready (or failed, with the error, re-raised for the
    caller to retry or give up)."""
    claimed = (
        Report.objects.filter(pk=report.pk)
        .exclude(status=ReportStatus.READY)
        .update(status=ReportStatus.RENDERING, updated_at=timezone.now())
    )
    report.refresh_from_db()
    if not claimed:
        return report
    Report.objects.filter(pk=report.pk).update(attempts=F("attempts") + 1)
    try:
        _refresh_figures(report)
        html = pdf.report_html(report)
        rendered = pdf.html_to_pdf(html)
    except Exception as error:
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            updated_at=timezone.now(),
        )
        report.refresh_from_db()
        raise
    return _store(report, rendered)


@transaction.atomic
def _store(report: Report, rendered: pdf.Rendered) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status == ReportStatus.READY:
        return report  # another worker finished first; keep its file
    name = report.file_name
    if report.file:
        report.file.delete(save=False)
    report.file.save(name, ContentFile(rendered.content), save=False)
    report.size = len(rendered.content)
    report.sha256 = hashlib.sha256(rendered.content).hexdigest()
    report.pages = rendered.pages
    report.render_seconds = round(rendered.seconds, 3)
    report.status = ReportStatus.READY
    report.error = ""
    report.rendered_at = timezone.now()
    report.save()
    logger.info("Report %s rendered: %s pages, %.2f s", report.pk, report.pages, rendered.seconds)
    return report


def _refresh_figures(report: Report) -> None:
    """Exact figures for the report's scope, whatever the periodic refresh is doing. If that
    refresh writes the same enterprises at this moment, one of the two transactions meets the
    other's rows: its figures are the ones just written, so the report goes on with them."""
    if report.type == ReportType.FEDERAL:
        # Every enterprise: the periodic refresh's own incremental step (the enterprises changed
        # since its last run), rather than recounting the whole country for one document.
        rollups.refresh_due()
        return
    enterprise_ids = _enterprise_ids(report)
    if not enterprise_ids:
        return
    try:
        rollups.refresh(enterprise_ids=enterprise_ids)
    except IntegrityError:
        logger.info("Report %s: roll-ups refreshed concurrently, using those", report.pk)


def _enterprise_ids(report: Report) -> list[int]:
    if report.type == ReportType.ENTERPRISE:
        return [report.enterprise_id]
    if report.type == ReportType.REGION:
        return list(Enterprise.objects.filter(region=report.region_id).values_list("pk", flat=True))
    return []


def reports_prune(*, now: datetime.datetime | None = None, batch: int = 200) -> int:
    """Delete old versions of reports, their files too: of each report (type, scope, period,
    language) the newest REPORTS_KEEP_VERSIONS versions stay whatever their age; older ones go once
    they are REPORTS_VERSION_MAX_AGE_DAYS old and finished. A version some delivery sent stays: the
    delivery is the record of what was sent. Returns the number deleted (at most ``batch``)."""
    now = now or timezone.now()
    newest_first = Window(
        RowNumber(),
        partition_by=[F("type"), F("scope_key"), F("period_start"), F("period_end"), F("language")],
        order_by=F("version").desc(),
    )
    superseded = (
        Report.objects.annotate(rank=newest_first)
        .filter(rank__gt=settings.REPORTS_KEEP_VERSIONS)
        .values_list("pk", flat=True)
    )
    candidates = list(
        Report.objects.filter(
            pk__in=list(superseded),
            created_at__lt=now - datetime.timedelta(days=settings.REPORTS_VERSION_MAX_AGE_DAYS),
            status__in=[ReportStatus.READY, ReportStatus.FAILED],
        )
        .exclude(Exists(Delivery.objects.filter(report=OuterRef("pk"))))
        .order_by("created_at")[:batch]
    )
    with transaction.atomic():
        for report in candidates:
            name, storage = report.file.name, report.file.storage
            report.delete()
            if name:
                # Only once the row is gone for good: a rolled-back delete keeps its file.
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    if candidates:
        logger.info("Pruned %s old report versions", len(candidates))
    return len(candidates)
