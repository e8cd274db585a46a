"""The weekly reminder: every Monday each enterprise's safety officers and manager get one plain
e-mail listing the measures overdue or due within two weeks, the register rows due for review and
the assessments a manager returned for correction (with the reason), with links, in their own
language. Nothing due, no e-mail; a user may switch it off.

Sending is idempotent per user and week (DigestSent, written in the transaction that sends), so a
task queued twice never mails anyone twice."""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from enterprises.models import ENTERPRISE_ROLES, Enterprise, User
from hazards.models import Hazard, HazardStatus

from .models import AssessmentStatus, ControlMeasure, DigestSent, RiskAssessment

logger = logging.getLogger(__name__)

DUE_WITHIN = datetime.timedelta(days=14)
# One e-mail stays readable: past this, the list ends with "… and N more" and a link.
LIST_LIMIT = 25


@dataclass
class Digest:
    enterprise: Enterprise
    today: datetime.date
    overdue: list
    due_soon: list
    overdue_count: int
    due_soon_count: int
    review: list
    review_count: int
    returned: list
    returned_count: int
    # Cards whose register changed since issue, or re-issued and not acknowledged by all their
    # workers (documents.acknowledgements.cards_needing_acknowledgement).
    cards: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.overdue_count
            or self.due_soon_count
            or self.review_count
            or self.returned_count
            or self.cards
        )


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def digest_for(enterprise: Enterprise, today: datetime.date) -> Digest:
    """What is due at one enterprise, in eight queries whatever the register's size."""
    measures = (
        ControlMeasure.objects.open()
        .filter(hazard__enterprise=enterprise, due_date__lte=today + DUE_WITHIN)
        .select_related("hazard__workplace", "hazard__event", "assignee")
        .order_by("due_date", "pk")
    )
    overdue = measures.filter(due_date__lt=today)
    due_soon = measures.filter(due_date__gte=today)
    review = (
        Hazard.objects.active()
        .filter(enterprise=enterprise)
        .filter(Q(next_review_on__lte=today + DUE_WITHIN) | Q(needs_reassessment=True))
        .select_related("workplace", "event")
        .order_by("next_review_on", "pk")
    )
    # Returned assessments still to be corrected: the correction (a re-assessment) replaces them.
    returned = (
        RiskAssessment.objects.current()
        .filter(
            hazard__enterprise=enterprise,
            hazard__status=HazardStatus.ACTIVE,
            status=AssessmentStatus.RETURNED,
        )
        .select_related("hazard__workplace", "hazard__event", "returned_by")
        .order_by("returned_at", "pk")
    )
    # documents builds on the register (it imports assessments), hence the import here.
    from documents.acknowledgements import cards_needing_acknowledgement

    return Digest(
        cards=cards_needing_acknowledgement(enterprise, today),
        enterprise=enterprise,
        today=today,
        overdue=list(overdue[:LIST_LIMIT]),
        overdue_count=overdue.count(),
        due_soon=list(due_soon[:LIST_LIMIT]),
        due_soon_count=due_soon.count(),
        review=list(review[:LIST_LIMIT]),
        review_count=review.count(),
        returned=list(returned[:LIST_LIMIT]),
        returned_count=returned.count(),
    )


def recipients(enterprise: Enterprise):
    return (
        User.objects.filter(
            enterprise=enterprise, role__in=ENTERPRISE_ROLES, is_active=True, weekly_digest=True
        )
        .exclude(email="")
        .order_by("pk")
    )


def digest_message(digest: Digest, user: User) -> EmailMessage:
    with translation.override(user.language or settings.LANGUAGE_CODE):

        def link(name, *args):
            return settings.SITE_URL + reverse(name, args=args)

        context = {
            "digest": digest,
            "user": user,
            "overdue": [(m, link("assessments:hazard", m.hazard_id)) for m in digest.overdue],
            "due_soon": [(m, link("assessments:hazard", m.hazard_id)) for m in digest.due_soon],
            "review": [(h, link("assessments:hazard", h.pk)) for h in digest.review],
            "overdue_more": digest.overdue_count - len(digest.overdue),
            "due_soon_more": digest.due_soon_count - len(digest.due_soon),
            "review_more": digest.review_count - len(digest.review),
            "returned": [(a, link("assessments:hazard", a.hazard_id)) for a in digest.returned],
            "returned_more": digest.returned_count - len(digest.returned),
            "cards": [(c, link("documents:acknowledgements", c.card.pk)) for c in digest.cards[:LIST_LIMIT]],
            "cards_more": max(len(digest.cards) - LIST_LIMIT, 0),
            "register_url": link("assessments:register", digest.enterprise.pk),
            "preferences_url": link("enterprises:preferences"),
        }
        subject = render_to_string("assessments/email/digest_subject.txt", context)
        body = render_to_string("assessments/email/digest_body.txt", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])


def digests_send(*, enterprise_ids: list[int], today: datetime.date) -> int:
    """Send the week's reminders of these enterprises; returns how many e-mails went out. A mail
    server error propagates (the task retries); those already sent are not sent again."""
    week = week_start(today)
    sent = 0
    for enterprise in Enterprise.objects.filter(pk__in=enterprise_ids).order_by("pk"):
        people = [user for user in recipients(enterprise) if not _already_sent(user, week)]
        if not people:
            continue
        digest = digest_for(enterprise, today)
        if digest.is_empty:
            continue
        for user in people:
            sent += _send_once(digest, user, week)
    return sent


def _already_sent(user: User, week: datetime.date) -> bool:
    return DigestSent.objects.filter(user=user, week=week).exists()


def _send_once(digest: Digest, user: User, week: datetime.date) -> int:
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, week=week)
            # Inside the transaction: if the mail server refuses, the record is rolled back and
            # the retry sends it.
            digest_message(digest, user).send()
    except IntegrityError:
        return 0  # another task sent it in the meantime
    logger.info("Weekly reminder sent to %s (%s)", user.email, digest.enterprise.short_name)
    return 1


def enterprises_with_recipients() -> list[int]:
    """Enterprises with at least one person who takes the reminder."""
    people = User.objects.filter(
        role__in=ENTERPRISE_ROLES, is_active=True, weekly_digest=True, enterprise__isnull=False
    ).exclude(email="")
    return sorted(set(people.values_list("enterprise_id", flat=True)))
