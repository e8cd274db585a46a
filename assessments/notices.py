"""E-mails to a measure's responsible user: when the measure is assigned to them, a week before
its due date and once it is overdue, in their own language, with a link to the row.

The database is the source of truth, as for the subscribed reports (reports/delivery.py): each
notice is a MeasureNotice row written before anything is queued, and the task only carries its
id. Sending claims the row under a lock and marks it sent in the same transaction, so a task
queued twice (or re-delivered by the broker) sends it once; if the mail server refuses, the
transaction rolls back and the retry sends it. A deadline notice is unique per measure, person,
kind and due date, so the daily check may run any number of times."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from hazards.models import HazardStatus

from .models import OPEN_MEASURE_STATUSES, ControlMeasure, MeasureNotice, NoticeKind

logger = logging.getLogger(__name__)

# "Approaching": the assignee is told this many days before the due date.
DUE_SOON = datetime.timedelta(days=7)


def _queue(notice: MeasureNotice) -> None:
    from .tasks import send_measure_notice

    send_measure_notice.delay_on_commit(notice.pk)


def _reachable(user) -> bool:
    return bool(user is not None and user.is_active and user.email)


def notice_assigned(*, measure: ControlMeasure) -> MeasureNotice | None:
    """Tell the measure's (new) assignee; sent after the caller's transaction commits."""
    if not _reachable(measure.assignee):
        return None
    notice = MeasureNotice.objects.create(
        measure=measure, user=measure.assignee, kind=NoticeKind.ASSIGNED, due_date=measure.due_date
    )
    _queue(notice)
    return notice


def deadline_notices_create(*, today: datetime.date) -> int:
    """The daily check: a notice for each open measure of an active row that falls due within a
    week or is overdue, not yet noticed for its current due date and assignee. Returns how many
    were queued."""
    measures = (
        ControlMeasure.objects.open()
        .filter(
            assignee__isnull=False,
            assignee__is_active=True,
            due_date__lte=today + DUE_SOON,
            hazard__status=HazardStatus.ACTIVE,
        )
        .exclude(assignee__email="")
        .order_by("pk")
        .values_list("pk", "assignee_id", "due_date")
    )
    queued = 0
    for pk, user_id, due_date in measures.iterator(chunk_size=2000):
        kind = NoticeKind.OVERDUE if due_date < today else NoticeKind.DUE_SOON
        try:
            with transaction.atomic():
                notice, created = MeasureNotice.objects.get_or_create(
                    measure_id=pk, user_id=user_id, kind=kind, due_date=due_date
                )
                if created:
                    _queue(notice)
                    queued += 1
        except IntegrityError:
            continue  # another run created it in the meantime
    return queued


def notice_message(notice: MeasureNotice) -> EmailMessage:
    measure = notice.measure
    user = notice.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "notice": notice,
            "measure": measure,
            "user": user,
            "today": timezone.localdate(),
            "row_url": settings.SITE_URL + reverse("assessments:hazard", args=[measure.hazard_id]),
            "tasks_url": settings.SITE_URL + reverse("assessments:my_tasks"),
        }
        subject = render_to_string(f"assessments/email/measure_{notice.kind}_subject.txt", context)
        body = render_to_string("assessments/email/measure_notice_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])


def notice_send(*, notice_id: int) -> bool:
    """Send one notice once. A mail server error propagates (the task retries); a notice already
    sent, or about a measure closed or reassigned since, is left alone. Returns whether it went."""
    with transaction.atomic():
        notice = (
            MeasureNotice.objects.select_for_update(of=("self",))
            .select_related(
                "user",
                "measure__hazard__workplace",
                "measure__hazard__event",
                "measure__hazard__enterprise",
                "measure__assignee",
            )
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.sent_at is not None:
            return False
        measure = notice.measure
        if not measure.is_open or measure.assignee_id != notice.user_id or not _reachable(notice.user):
            return False
        notice_message(notice).send()
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at", "updated_at"])
    logger.info("Measure e-mail (%s) sent to %s for measure %s", notice.kind, notice.user.email, measure.pk)
    return True


def notices_unsent() -> list[int]:
    """Notices written but not sent for a day: queued again by the daily check (a broker that
    lost its queue loses nothing for good)."""
    since = timezone.now() - datetime.timedelta(days=3)
    stale = timezone.now() - datetime.timedelta(minutes=30)
    return list(
        MeasureNotice.objects.filter(sent_at__isnull=True, created_at__gte=since, created_at__lt=stale)
        .filter(measure__status__in=OPEN_MEASURE_STATUSES, measure__assignee_id=F("user_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
