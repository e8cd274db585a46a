"""Subscribed reports by e-mail: subscriptions, the fan-out of due reports, sending with every
attempt recorded, and the reconciler.

The database, not the broker, is the source of truth. The fan-out writes each owed report's row
and one Delivery per subscription before anything is queued; tasks only carry ids. Redis keeps
nothing on disk, so when it restarts its queue is gone: the reconciler (a periodic task) finds
rows that are owed but have not moved and queues them again. Queuing twice is harmless: a render
and a send each claim their row first, and a finished row is left alone.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mail_admins
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.imports import register_imports_reconcile
from dashboards.rollups import add_months, first_of_month
from riskpilot.celery import task_named

from . import pdf
from .models import (
    AttemptOutcome,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Frequency,
    Report,
    ReportStatus,
    ReportType,
    Subscription,
)
from .services import report_request, reports_prune

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 20
# The longest wait between two attempts: well below the broker's visibility timeout (3600 s).
MAX_RETRY_DELAY = 30 * 60


# --- Subscriptions -------------------------------------------------------------------------------


def recipients_clean(text: str) -> str:
    """One normalised address per line, duplicates dropped; ValidationError names the bad ones."""
    addresses = []
    for item in text.replace(",", "\n").replace(";", "\n").split():
        address = item.strip().lower()
        if address and address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ValidationError(_("Enter at least one e-mail address."), code="required")
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            _("Not e-mail addresses: %(addresses)s") % {"addresses": ", ".join(bad)}, code="invalid"
        )
    if len(addresses) > MAX_RECIPIENTS:
        raise ValidationError(
            _("At most %(limit)s addresses per subscription.") % {"limit": MAX_RECIPIENTS}, code="too_many"
        )
    return "\n".join(addresses)


def recipients_outside(addresses: list[str], *, enterprise=None) -> list[str]:
    """The addresses outside the allowed domains: the ministry's and others of
    REPORTS_RECIPIENT_DOMAINS (subdomains included), and for an enterprise's report the domains
    of its own users' addresses."""
    from enterprises.models import User

    allowed = {domain.lower().lstrip("@.") for domain in settings.REPORTS_RECIPIENT_DOMAINS if domain}
    if enterprise is not None:
        emails = User.objects.filter(enterprise=enterprise, is_active=True).exclude(email="")
        allowed |= {email.rsplit("@", 1)[1].lower() for email in emails.values_list("email", flat=True)}

    def inside(address: str) -> bool:
        domain = address.rsplit("@", 1)[1]
        return any(domain == d or domain.endswith("." + d) for d in allowed)

    return [address for address in addresses if not inside(address)]


@transaction.atomic
def subscription_create(
    *, type: str, enterprise=None, region=None, frequency: str, language: str, recipients: str, user
) -> Subscription:
    """A new subscription; awaiting an administrator's approval if any recipient is outside the
    allowed domains (see recipients_outside)."""
    enterprise = enterprise if type == ReportType.ENTERPRISE else None
    recipients = recipients_clean(recipients)
    return Subscription.objects.create(
        type=type,
        enterprise=enterprise,
        region=region if type == ReportType.REGION else None,
        frequency=frequency,
        language=language,
        recipients=recipients,
        pending_approval=bool(recipients_outside(recipients.split(), enterprise=enterprise)),
        created_by=user,
    )


def subscriptions_approve(*, subscriptions) -> int:
    """An administrator approves subscriptions awaiting approval (one save each: history)."""
    approved = 0
    for subscription in subscriptions:
        if subscription.pending_approval:
            subscription.pending_approval = False
            subscription.save(update_fields=["pending_approval", "updated_at"])
            approved += 1
    return approved


def subscription_deactivate(*, subscription: Subscription) -> Subscription:
    """Stops future deliveries; what was sent stays on record."""
    subscription.active = False
    subscription.save(update_fields=["active", "updated_at"])
    return subscription


def can_subscribe(user) -> bool:
    """Managers subscribe to their enterprise's report, reviewers to what they oversee; safety
    officers read the subscriptions of their enterprise but change none."""
    from enterprises.models import Role

    return user.is_authenticated and (
        user.sees_everything or user.role in (Role.MANAGER, Role.REGIONAL_REVIEWER)
    )


# --- Due reports and the fan-out -----------------------------------------------------------------


def due_period(frequency: str, today: datetime.date) -> pdf.ReportPeriod:
    """The last whole period before ``today``: the previous month, or the previous quarter."""
    month = first_of_month(today)
    if frequency == Frequency.MONTHLY:
        return pdf.period_of(add_months(month, -1))
    quarter_start = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    return pdf.period_of(add_months(quarter_start, -3), quarter=True)


def subscriptions_due(today: datetime.date) -> list[int]:
    """Active subscriptions whose last whole period has not been delivered (any version of it)."""
    due = []
    for frequency in Frequency:
        period = due_period(frequency, today)
        delivered = Delivery.objects.filter(
            subscription=OuterRef("pk"),
            report__period_start=period.start,
            report__period_end=period.end,
        )
        due += (
            Subscription.objects.delivering()
            .filter(frequency=frequency)
            .exclude(Exists(delivered))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return due


def subscriptions_fan_out(*, subscription_ids: list[int], today: datetime.date) -> int:
    """For each subscription, the report's row and the delivery's row, then (on commit) the render
    or, if the report is ready already, the send. Returns the number of deliveries created."""
    created = 0
    subscriptions = (
        Subscription.objects.delivering()
        .filter(pk__in=subscription_ids)
        .select_related("enterprise", "region")
    )
    for subscription in subscriptions:
        with transaction.atomic():
            created += _fan_out_one(subscription, today)
    return created


def _fan_out_one(subscription: Subscription, today: datetime.date) -> int:
    period = due_period(subscription.frequency, today)
    if Delivery.objects.filter(
        subscription=subscription, report__period_start=period.start, report__period_end=period.end
    ).exists():
        return 0
    scope = {ReportType.ENTERPRISE: subscription.enterprise, ReportType.REGION: subscription.region}.get(
        subscription.type
    )
    report, _queued = report_request(
        type=subscription.type, scope=scope, period=period, language=subscription.language
    )
    delivery = Delivery.objects.create(
        subscription=subscription, report=report, recipients=subscription.recipients
    )
    if report.status == ReportStatus.READY:
        _enqueue(delivery)
    return 1


def _enqueue(delivery: Delivery) -> None:
    deliver_report = task_named("reports.tasks.deliver_report")

    deliver_report.delay_on_commit(delivery.pk)


def deliveries_queue(*, report: Report) -> int:
    """Queue the sending of every delivery waiting for this (now ready) report."""
    waiting = list(Delivery.objects.filter(report=report, status=DeliveryStatus.PENDING))
    for delivery in waiting:
        _enqueue(delivery)
    return len(waiting)


# --- Sending ---------------------------------------------------------------------------------------


@dataclass
class DeliveryFailed(Exception):
    """A send failed; ``retry_in`` seconds until the next attempt, or None if it was the last."""

    delivery: Delivery
    retry_in: int | None


def retry_delay(attempt: int) -> int:
    return min(settings.REPORTS_DELIVERY_RETRY_BASE * 2 ** (attempt - 1), MAX_RETRY_DELAY)


def delivery_send(*, delivery_id: int) -> Delivery | None:
    """Send one delivery's e-mail with the PDF attached, once: the row is claimed (pending →
    sending) before the SMTP conversation and each attempt is recorded with its outcome. Raises
    DeliveryFailed when the attempt failed (the delivery is then pending again, or failed for good
    after the last attempt, when the admins are told)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("report", "subscription", "report__enterprise", "report__region")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery
        if delivery.report.status != ReportStatus.READY:
            return delivery  # the render task queues it again once the report is ready
        if not Subscription.objects.delivering().filter(pk=delivery.subscription_id).exists():
            # Stopped, awaiting approval, or its owner deactivated since the fan-out (or while
            # an outage was being retried): nothing more goes out for it.
            delivery.status = DeliveryStatus.CANCELLED
            delivery.next_attempt_at = None
            delivery.error = _("Not sent: the subscription is stopped or awaits an administrator's approval.")
            delivery.save(update_fields=["status", "next_attempt_at", "error", "updated_at"])
            return delivery
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, started_at=timezone.now()
        )
    try:
        delivery_message(delivery).send()
    except Exception as error:
        raise _record_failure(delivery, attempt, error) from error
    now = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            outcome=AttemptOutcome.SENT, finished_at=now, updated_at=now
        )
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT, sent_at=now, error="", updated_at=now
        )
    delivery.refresh_from_db()
    logger.info("Delivery %s sent to %s", delivery.pk, ", ".join(delivery.recipient_list))
    return delivery


def _record_failure(delivery: Delivery, attempt: DeliveryAttempt, error: Exception) -> DeliveryFailed:
    """A quick retry by the task while attempts remain; after that the delivery is failed, and the
    reconciler tries it again at ``next_attempt_at`` until the give-up time (None: given up)."""
    text = f"{type(error).__name__}: {error}"[:2000]
    now = timezone.now()
    quick = delivery.attempts < settings.REPORTS_DELIVERY_MAX_ATTEMPTS
    if quick:
        retry_in = retry_delay(delivery.attempts)
        next_attempt_at = now + datetime.timedelta(seconds=retry_in)
    else:
        retry_in = None
        next_attempt_at = later_attempt_at(delivery, now)
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            outcome=AttemptOutcome.ERROR, error=text, finished_at=now, updated_at=now
        )
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING if quick else DeliveryStatus.FAILED,
            error=text,
            next_attempt_at=next_attempt_at,
            updated_at=now,
        )
    delivery.refresh_from_db()
    logger.warning("Delivery %s, attempt %s failed: %s", delivery.pk, delivery.attempts, text)
    if not quick and (next_attempt_at is None or delivery.attempts == settings.REPORTS_DELIVERY_MAX_ATTEMPTS):
        _tell_admins(delivery)
    return DeliveryFailed(delivery, retry_in)


def later_attempt_at(delivery: Delivery, now: datetime.datetime) -> datetime.datetime | None:
    """When the reconciler tries a failed delivery again: the wait doubles with every attempt up to
    REPORTS_DELIVERY_MAX_BACKOFF, the last try falls on the give-up time, None once that is past."""
    first = delivery.attempt_log.order_by("number").values_list("started_at", flat=True).first()
    give_up_at = (first or delivery.created_at) + datetime.timedelta(
        seconds=settings.REPORTS_DELIVERY_GIVE_UP_AFTER
    )
    if now >= give_up_at:
        return None
    wait = min(
        settings.REPORTS_DELIVERY_RETRY_BASE * 2 ** (delivery.attempts - 1),
        settings.REPORTS_DELIVERY_MAX_BACKOFF,
    )
    return min(now + datetime.timedelta(seconds=wait), give_up_at)


def delivery_message(delivery: Delivery) -> EmailMessage:
    """The e-mail, in the subscription's language, with the report's PDF attached."""
    report = delivery.report
    with translation.override(delivery.subscription.language):
        context = {
            "report": report,
            "scope": _scope_name(report),
            "period": pdf.report_period(report).label(),
            "url": settings.SITE_URL + reverse("reports:report_detail", args=[report.pk]),
            "subscriptions_url": settings.SITE_URL + reverse("reports:subscription_list"),
        }
        subject = render_to_string("reports/email/delivery_subject.txt", context).strip()
        body = render_to_string("reports/email/delivery_body.txt", context)
    message = EmailMessage(subject=" ".join(subject.split()), body=body, to=delivery.recipient_list)
    with report.file.open("rb") as stored:
        message.attach(report.file_name, stored.read(), "application/pdf")
    return message


def _scope_name(report: Report) -> str:
    if report.enterprise_id:
        return report.enterprise.short_name
    if report.region_id:
        return report.region.name
    return _("Russian Federation")


def _tell_admins(delivery: Delivery) -> None:
    """Logged as an error (for log monitoring) and mailed to ADMINS. The mail server may be the very
    thing that is down, so this notice may never arrive: what administrators can rely on is the
    failed-deliveries list on the admin index and the /health/ counters, which read the rows."""
    report = delivery.report
    if delivery.next_attempt_at:
        next_at = f"{delivery.next_attempt_at:%Y-%m-%d %H:%M %Z}"
        outcome = f"is failing; it is tried again automatically (next: {next_at})"
    else:
        outcome = "was given up; send it again from the admin site (Deliveries) once the cause is fixed"
    summary = (
        f"Delivery {delivery.pk} of report {report.pk} ({report}) to {', '.join(delivery.recipient_list)} "
        f"{outcome}. Attempts: {delivery.attempts}. Last error: {delivery.error}"
    )
    logger.error(summary)
    mail_admins(
        f"Report delivery failed: {report}",
        f"{summary}\n\n{settings.SITE_URL}{reverse('reports:report_detail', args=[report.pk])}\n",
        fail_silently=True,
    )


def deliveries_fail(*, report: Report) -> int:
    """The report could not be rendered: its waiting deliveries fail, and the admins hear of it."""
    waiting = list(
        Delivery.objects.filter(report=report, status=DeliveryStatus.PENDING).select_related("report")
    )
    for delivery in waiting:
        delivery.status = DeliveryStatus.FAILED
        delivery.error = _("The report could not be rendered: %(error)s") % {"error": report.error}
        delivery.save(update_fields=["status", "error", "updated_at"])
        _tell_admins(delivery)
    return len(waiting)


# --- The reconciler ------------------------------------------------------------------------------------


def reconcile(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queue again whatever is owed but has not moved: reports queued (or rendering past any time
    limit) and deliveries waiting for a send or a retry the broker lost. Returns counts."""
    render_report = task_named("reports.tasks.render_report")

    now = now or timezone.now()
    grace = now - datetime.timedelta(seconds=settings.REPORTS_RECONCILE_GRACE)
    stale = now - datetime.timedelta(seconds=settings.REPORTS_RENDER_STALE_AFTER)
    counts = {}

    with transaction.atomic():
        reports = list(
            Report.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=ReportStatus.QUEUED, updated_at__lt=grace)
                | Q(status=ReportStatus.RENDERING, updated_at__lt=stale)
            )
            .values_list("pk", flat=True)
        )
        Report.objects.filter(pk__in=reports).update(updated_at=now)
        for pk in reports:
            render_report.delay_on_commit(pk)
    counts["reports"] = len(reports)
    counts["imports"] = register_imports_reconcile(now=now)

    with transaction.atomic():
        interrupted = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.SENDING, updated_at__lt=grace)
            .values_list("pk", flat=True)
        )
        DeliveryAttempt.objects.filter(delivery__in=interrupted, outcome=AttemptOutcome.SENDING).update(
            outcome=AttemptOutcome.INTERRUPTED, finished_at=now, updated_at=now
        )
        Delivery.objects.filter(pk__in=interrupted).update(status=DeliveryStatus.PENDING, updated_at=grace)
    counts["interrupted"] = len(interrupted)

    with transaction.atomic():
        waiting = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, report__status=ReportStatus.READY)
            .filter(Q(next_attempt_at__isnull=True, updated_at__lte=grace) | Q(next_attempt_at__lt=grace))
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=waiting).update(updated_at=now)
        for pk in waiting:
            transaction.on_commit(lambda pk=pk: _enqueue_id(pk))
    counts["deliveries"] = len(waiting)

    # Failed deliveries whose next try is due (an SMTP outage): back to pending, and queued.
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.FAILED, next_attempt_at__lte=now, report__status=ReportStatus.READY)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=due).update(
            status=DeliveryStatus.PENDING, next_attempt_at=None, updated_at=now
        )
        for pk in due:
            transaction.on_commit(lambda pk=pk: _enqueue_id(pk))
    counts["retried"] = len(due)

    failed = Report.objects.filter(
        status=ReportStatus.FAILED,
        updated_at__lt=grace,
        deliveries__status=DeliveryStatus.PENDING,
    ).distinct()
    counts["failed"] = sum(deliveries_fail(report=report) for report in failed)
    # Retention of old report versions (README, "PDF progress reports"): a small batch per sweep.
    counts["pruned"] = reports_prune(now=now)
    if any(counts.values()):
        logger.info("Reconciled: %s", counts)
    return counts


def _enqueue_id(pk: int) -> None:
    deliver_report = task_named("reports.tasks.deliver_report")

    deliver_report.delay(pk)


# --- Failed deliveries: what administrators see and do ---------------------------------------------


def deliveries_retry(*, deliveries) -> int:
    """Send failed deliveries again (the admin site's actions): each goes back to pending and is
    queued; one whose report could not be rendered has the report rendered again first (the render
    task queues the send). Returns how many were queued."""
    render_report = task_named("reports.tasks.render_report")

    retried = 0
    with transaction.atomic():
        rows = (
            Delivery.objects.select_for_update(of=("self",))
            .filter(pk__in=[d.pk for d in deliveries], status=DeliveryStatus.FAILED)
            .select_related("report")
        )
        for row in rows:
            row.status = DeliveryStatus.PENDING
            row.next_attempt_at = None
            row.save(update_fields=["status", "next_attempt_at", "updated_at"])
            if row.report.status == ReportStatus.READY:
                _enqueue(row)
            elif row.report.status == ReportStatus.FAILED:
                Report.objects.filter(pk=row.report_id, status=ReportStatus.FAILED).update(
                    status=ReportStatus.QUEUED, error="", updated_at=timezone.now()
                )
                render_report.delay_on_commit(row.report_id)
            retried += 1
    return retried


def deliveries_failed():
    """Failed deliveries, newest first, for the admin index."""
    return (
        Delivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("report", "report__enterprise", "report__region")
        .order_by("-updated_at", "-pk")
    )


def delivery_counts() -> dict[str, int]:
    """For the health endpoint: deliveries that are not (yet) sent, by state."""
    counts = {
        row["status"]: row["n"]
        for row in Delivery.objects.exclude(status__in=[DeliveryStatus.SENT, DeliveryStatus.CANCELLED])
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    }
    given_up = Delivery.objects.filter(status=DeliveryStatus.FAILED, next_attempt_at__isnull=True).count()
    return {
        "pending": counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0),
        "failed": counts.get(DeliveryStatus.FAILED, 0),
        "failed_given_up": given_up,
    }
