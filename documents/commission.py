"""The risk assessment commission of an enterprise (REFERENCE §8): the employer's order naming its
chairman and members. A new order replaces the old one from its valid_from date; the old orders
stay as history, and the rounds signed under them keep pointing at them."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import ENTERPRISE_ROLES, Enterprise, User
from hazards.services import version_token

from .models import Commission, CommissionMember, CommissionRole


@dataclass
class MemberData:
    """One line of the commission as the form gives it: a user of the enterprise, or a named
    person without an account."""

    role: str
    position: str = ""
    full_name: str = ""
    user: User | None = None


def check_fresh(obj, expected: str | None) -> None:
    """Refuse a change made on a page loaded before someone else's change (optimistic locking, as
    hazards.services.check_version for the register)."""
    if expected is None:
        return
    if version_token(obj.updated_at) != str(expected):
        raise ValidationError(
            _("Someone else changed this while you were looking at it. Reload the page and try again."),
            code="stale",
        )


def commission_in_force(enterprise, day: datetime.date | None = None) -> Commission | None:
    return Commission.objects.filter(enterprise=enterprise).in_force(day).first()


def commission_is_editable(commission: Commission) -> bool:
    """Members can be changed until a round has been sent to them for signature: from then on the
    order is what they signed under, and a change is a new order."""
    return not commission.rounds.filter(sent_for_signature_at__isnull=False).exists()


def enterprise_people(enterprise):
    """The accounts that can sit on the enterprise's commission."""
    return User.objects.filter(enterprise=enterprise, role__in=ENTERPRISE_ROLES, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )


def _members_checked(enterprise: Enterprise, members: list[MemberData]) -> list[MemberData]:
    errors = []
    if not members:
        errors.append(_("Name the chairman and the members of the commission."))
    chairmen = sum(1 for member in members if member.role == CommissionRole.CHAIRMAN)
    if members and chairmen != 1:
        errors.append(_("The commission has exactly one chairman."))
    seen = set()
    for member in members:
        if member.role not in CommissionRole.values:
            errors.append(_("Choose the role of each member."))
        if member.user is not None:
            if member.user.enterprise_id != enterprise.pk:
                errors.append(_("The user works for another enterprise."))
            if member.user.pk in seen:
                errors.append(
                    _("%(name)s is named twice: a person sits on the commission once.")
                    % {"name": member.user}
                )
            seen.add(member.user.pk)
            member.full_name = member.full_name.strip() or str(member.user)
            member.position = member.position.strip() or member.user.position
        if not member.full_name.strip():
            errors.append(_("Give the surname, name and patronymic of each member without an account."))
        if not member.position.strip():
            errors.append(_("Give the position of each member."))
    if errors:
        # One message per kind of mistake, in the order first met.
        raise ValidationError({"members": list(dict.fromkeys(errors))})
    return members


def _order_checked(*, enterprise, order_number, order_date, valid_from, exclude_pk=None) -> None:
    errors = {}
    if valid_from < order_date:
        errors["valid_from"] = _("The order cannot take effect before it is signed.")
    if order_date > timezone.localdate():
        errors["order_date"] = _("The order date cannot be in the future.")
    same = Commission.objects.filter(enterprise=enterprise, order_number=order_number, order_date=order_date)
    if same.exclude(pk=exclude_pk).exists():
        errors["order_number"] = _("This order is already recorded.")
    if errors:
        raise ValidationError(errors)


def _members_write(commission: Commission, members: list[MemberData]) -> None:
    # Replaced as a whole: moving the chairman's seat from one line to another would otherwise
    # meet the one-chairman constraint half-way. The history keeps the removed lines.
    for member in commission.members.all():
        member.delete()
    for position, member in enumerate(members, start=1):
        CommissionMember.objects.create(
            commission=commission,
            role=member.role,
            user=member.user,
            full_name=member.full_name.strip(),
            position=member.position.strip(),
            sort_order=position,
        )


@transaction.atomic
def commission_create(
    *,
    enterprise: Enterprise,
    order_number: str,
    order_date: datetime.date,
    valid_from: datetime.date,
    members: list[MemberData],
) -> Commission:
    """Record a new order on the commission; from valid_from it replaces the one in force."""
    order_number = order_number.strip()
    _order_checked(
        enterprise=enterprise, order_number=order_number, order_date=order_date, valid_from=valid_from
    )
    members = _members_checked(enterprise, members)
    commission = Commission.objects.create(
        enterprise=enterprise, order_number=order_number, order_date=order_date, valid_from=valid_from
    )
    _members_write(commission, members)
    return commission


@transaction.atomic
def commission_update(
    *,
    commission: Commission,
    order_number: str,
    order_date: datetime.date,
    valid_from: datetime.date,
    members: list[MemberData],
    version: str | None,
) -> Commission:
    commission = Commission.objects.select_for_update().get(pk=commission.pk)
    check_fresh(commission, version)
    if not commission_is_editable(commission):
        raise ValidationError(
            _(
                "The commission has already been sent a round for signature under this order: record "
                "a new order instead of changing this one."
            )
        )
    order_number = order_number.strip()
    _order_checked(
        enterprise=commission.enterprise,
        order_number=order_number,
        order_date=order_date,
        valid_from=valid_from,
        exclude_pk=commission.pk,
    )
    members = _members_checked(commission.enterprise, members)
    commission.order_number = order_number
    commission.order_date = order_date
    commission.valid_from = valid_from
    commission.save()
    _members_write(commission, members)
    return commission
