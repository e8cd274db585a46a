"""Each role sees exactly its own data, through the one scoping function every view uses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from assessments.models import ControlMeasure, Incident, RiskAssessment
from assessments.services import assessment_create
from enterprises.access import get_for_user
from enterprises.models import Department, Enterprise, Role, User, Workplace
from hazards.models import Hazard
from tests.factories import (
    ControlMeasureFactory,
    HazardFactory,
    IncidentFactory,
    UserFactory,
    WorkplaceFactory,
)

SCOPED_MODELS = [Enterprise, Department, Workplace, Hazard, RiskAssessment, ControlMeasure, Incident]


@pytest.fixture
def registers(enterprise_a, enterprise_b, enterprise_c):
    """A small register in each of three enterprises: A and B in one region, C in another."""
    rows = {}
    for enterprise in (enterprise_a, enterprise_b, enterprise_c):
        workplace = WorkplaceFactory(department__enterprise=enterprise)
        hazard = HazardFactory(workplace=workplace)
        assessor = UserFactory(username=f"assessor{enterprise.pk}", enterprise=enterprise)
        assessment_create(hazard=hazard, assessor=assessor, inputs={"probability": 3, "severity": 4})
        ControlMeasureFactory(hazard=hazard)
        IncidentFactory(workplace=workplace)
        rows[enterprise.pk] = enterprise
    return rows


def visible_enterprise_ids(model, user):
    path = model.objects.none().enterprise_path
    field = f"{path}_id" if path else "pk"
    return set(model.objects.for_user(user).values_list(field, flat=True))


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("officer_a", {"a"}),
        ("manager_a", {"a"}),
        ("officer_b", {"b"}),
        ("reviewer_region", {"a", "b"}),
        ("reviewer_other_region", {"c"}),
        ("federal", {"a", "b", "c"}),
        ("admin_user", {"a", "b", "c"}),
    ],
)
def test_each_role_sees_exactly_its_own_enterprises(request, registers, model, persona, sees):
    user = request.getfixturevalue(persona)
    expected = {request.getfixturevalue(f"enterprise_{letter}").pk for letter in sees}
    assert visible_enterprise_ids(model, user) == expected


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
def test_anonymous_and_inactive_users_see_nothing(registers, officer_a, model):
    assert not model.objects.for_user(AnonymousUser()).exists()
    officer_a.is_active = False
    assert not model.objects.for_user(officer_a).exists()


def test_officer_without_enterprise_sees_nothing(registers):
    # The database refuses to store such a user; the scope must still fail closed.
    stray = User(username="stray", role=Role.OFFICER)
    assert not Hazard.objects.for_user(stray).exists()


def test_get_for_user_hides_other_enterprises_behind_404(registers, officer_a, enterprise_b):
    foreign = Hazard.objects.get(enterprise=enterprise_b)
    with pytest.raises(Http404):
        get_for_user(Hazard.objects, officer_a, pk=foreign.pk)
    with pytest.raises(Http404):
        get_for_user(Hazard.objects, officer_a, write=True, pk=foreign.pk)


def test_reviewers_read_but_may_not_write(registers, reviewer_region, federal, enterprise_a):
    own_region = Hazard.objects.get(enterprise=enterprise_a)
    for reviewer in (reviewer_region, federal):
        assert get_for_user(Hazard.objects, reviewer, pk=own_region.pk) == own_region
        with pytest.raises(PermissionDenied):
            get_for_user(Hazard.objects, reviewer, write=True, pk=own_region.pk)


def test_officer_writes_own_enterprise(registers, officer_a, enterprise_a):
    own = Hazard.objects.get(enterprise=enterprise_a)
    assert get_for_user(Hazard.objects, officer_a, write=True, pk=own.pk) == own
