"""Editing the structure in the browser: who may (officers and managers of the enterprise), who
reads only (reviewers: 403), who does not see it at all (404), and what each page does."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enterprises.models import Department, Workplace
from hazards.models import HazardStatus
from riskpilot.versions import version_token
from tests.factories import DepartmentFactory, HazardFactory, WorkplaceFactory
from tests.submission import rendered_key, with_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]

WORKPLACE = {
    "number": "11А",
    "position": "Токарь",
    "okpdtr_code": "19149 6",  # not in the classifier's seed: typed with its check digit
    "headcount_total": "3",
    "headcount_women": "1",
    "headcount_under_18": "0",
    "headcount_disabled": "0",
    "job_function": "",
    "equipment": "Токарный станок",
}


@pytest.fixture
def shop(enterprise_a):
    return DepartmentFactory(enterprise=enterprise_a, name="Цех № 1")


def _structure(enterprise):
    return reverse("enterprises:structure", args=[enterprise.pk])


# --- Who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer_a", "manager_a"])
def test_officer_and_manager_add_a_unit_once_per_submission(client, request, persona, enterprise_a, shop):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("assessments:unit_add", args=[enterprise_a.pk])
    data = with_key(name="Участок № 2", kind="section", parent=str(shop.pk))
    response = client.post(url, data)
    created = Department.objects.get(name="Участок № 2")
    assert response.status_code == 302
    assert response["Location"] == _structure(enterprise_a) + f"#dept-{created.pk}"
    assert client.post(url, data).status_code == 302  # a double click
    assert Department.objects.filter(name="Участок № 2").count() == 1
    assert created.parent == shop


def test_reviewer_reads_the_structure_but_may_not_change_it(client, reviewer_region, enterprise_a, shop):
    workplace = WorkplaceFactory(department=shop)
    client.force_login(reviewer_region)
    page = client.get(_structure(enterprise_a)).content.decode()
    assert reverse("assessments:unit_add", args=[enterprise_a.pk]) not in page
    assert reverse("assessments:workplace_edit", args=[workplace.pk]) not in page
    for url in (
        reverse("assessments:unit_add", args=[enterprise_a.pk]),
        reverse("assessments:unit_edit", args=[shop.pk]),
        reverse("assessments:workplace_add", args=[enterprise_a.pk]),
        reverse("assessments:workplace_archive", args=[workplace.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, with_key(name="x", number="99", position="x")).status_code == 403
    assert Department.objects.count() == 1 and Workplace.objects.count() == 1


def test_officer_of_another_enterprise_gets_not_found(client, officer_b, enterprise_a, shop):
    workplace = WorkplaceFactory(department=shop)
    client.force_login(officer_b)
    for url in (
        reverse("assessments:unit_add", args=[enterprise_a.pk]),
        reverse("assessments:unit_edit", args=[shop.pk]),
        reverse("assessments:unit_archive", args=[shop.pk]),
        reverse("assessments:workplace_edit", args=[workplace.pk]),
        reverse("assessments:workplace_archive", args=[workplace.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404


def test_archived_objects_cannot_be_edited(client, officer_a, enterprise_a, shop):
    workplace = WorkplaceFactory(department=shop, archived_at=timezone.now())
    closed = DepartmentFactory(enterprise=enterprise_a, archived_at=timezone.now())
    client.force_login(officer_a)
    assert client.get(reverse("assessments:workplace_edit", args=[workplace.pk])).status_code == 404
    assert client.get(reverse("assessments:unit_edit", args=[closed.pk])).status_code == 404


def test_structure_page_offers_the_buttons_to_writers(client, officer_a, enterprise_a, shop):
    workplace = WorkplaceFactory(department=shop)
    client.force_login(officer_a)
    page = client.get(_structure(enterprise_a)).content.decode()
    for url in (
        reverse("assessments:unit_add", args=[enterprise_a.pk]),
        reverse("assessments:workplace_add", args=[enterprise_a.pk]) + f"?department={shop.pk}",
        reverse("assessments:unit_add", args=[enterprise_a.pk]) + f"?parent={shop.pk}",
        reverse("assessments:unit_edit", args=[shop.pk]),
        reverse("assessments:unit_archive", args=[shop.pk]),
        reverse("assessments:workplace_edit", args=[workplace.pk]),
        reverse("assessments:workplace_archive", args=[workplace.pk]),
    ):
        assert url in page
    assert "Добавить подразделение" in page


# --- Workplaces -----------------------------------------------------------------------------------


def test_workplace_form_offers_the_okpdtr_classifier_and_the_unit_asked_for(
    client, officer_a, enterprise_a, shop
):
    client.force_login(officer_a)
    url = reverse("assessments:workplace_add", args=[enterprise_a.pk])
    response = client.get(f"{url}?department={shop.pk}")
    html = response.content.decode()
    assert '<option value="11429">11429 — Взрывник</option>' in html  # the first of the seed
    assert 'hx-get="/enterprises/okpdtr/options/"' in html
    assert re.search(rf'<option value="{shop.pk}" selected>', html)
    assert client.get(f"{url}?department=junk").status_code == 200
    assert client.get(f"{url}?department=99999999999999999999999").status_code == 200


def test_workplace_added_with_a_code_typed_in(client, officer_a, enterprise_a, shop):
    client.force_login(officer_a)
    url = reverse("assessments:workplace_add", args=[enterprise_a.pk])
    response = client.get(url)
    data = {
        **WORKPLACE,
        "department": str(shop.pk),
        # Not in the classifier's seed: accepted with its check digit.
        "okpdtr_code": "12345 0",
        "submission": rendered_key(response),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    workplace = Workplace.objects.get(number="11А")
    assert (workplace.okpdtr_code, workplace.department_id, workplace.headcount_women) == (
        "12345",
        shop.pk,
        1,
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"okpdtr_code": "1234"}, "okpdtr_code", "5 цифр"),
        ({"okpdtr_code": "12345"}, "okpdtr_code", "нет в загруженном классификаторе"),
        ({"okpdtr_code": "12345 1"}, "okpdtr_code", "Контрольное число не подходит"),
        ({"okpdtr_code": "19149 7"}, "okpdtr_code", "Контрольное число не подходит"),
        ({"number": "1"}, "number", "уже есть рабочее место № 1"),
        ({"headcount_women": "9"}, "headcount_women", "Не может превышать"),
    ],
)
def test_invalid_workplace_is_shown_again_with_the_error_beside_the_field(
    client, officer_a, enterprise_a, shop, change, field, message
):
    WorkplaceFactory(department=shop, number="1")
    client.force_login(officer_a)
    url = reverse("assessments:workplace_add", args=[enterprise_a.pk])
    response = client.post(url, with_key({**WORKPLACE, "department": str(shop.pk), **change}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Workplace.objects.count() == 1


def test_workplace_moved_to_another_unit(client, officer_a, enterprise_a, shop):
    workplace = WorkplaceFactory(department=shop, number="5", position="Токарь")
    other = DepartmentFactory(enterprise=enterprise_a, name="Цех № 2")
    client.force_login(officer_a)
    url = reverse("assessments:workplace_edit", args=[workplace.pk])
    data = {
        **WORKPLACE,
        "number": "5",
        "department": str(other.pk),
        "version": version_token(workplace.updated_at),
    }
    assert client.post(url, data).status_code == 302
    workplace.refresh_from_db()
    assert workplace.department_id == other.pk


def test_stale_workplace_edit_is_refused_and_changes_nothing(client, officer_a, enterprise_a, shop):
    workplace = WorkplaceFactory(department=shop, number="5", position="Токарь")
    token = version_token(workplace.updated_at)
    Workplace.objects.get(pk=workplace.pk).save()  # someone else saved meanwhile
    client.force_login(officer_a)
    url = reverse("assessments:workplace_edit", args=[workplace.pk])
    response = client.post(url, {**WORKPLACE, "number": "6", "department": str(shop.pk), "version": token})
    assert response.status_code == 200
    assert "пока вы редактировали" in " ".join(response.context["form"].non_field_errors())
    workplace.refresh_from_db()
    assert workplace.number == "5"


def test_unit_cannot_be_moved_inside_itself_from_the_form(client, officer_a, enterprise_a, shop):
    section = DepartmentFactory(enterprise=enterprise_a, parent=shop)
    client.force_login(officer_a)
    url = reverse("assessments:unit_edit", args=[shop.pk])
    page = client.get(url)
    offered = [pk for pk, _label in page.context["form"].fields["parent"].choices if pk]
    assert shop.pk not in offered and section.pk not in offered
    data = {
        "name": shop.name,
        "kind": shop.kind,
        "parent": str(section.pk),
        "version": version_token(shop.updated_at),
    }
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors["parent"]
    shop.refresh_from_db()
    assert shop.parent_id is None


# --- Archiving ------------------------------------------------------------------------------------


def _archive(client, workplace, **data):
    url = reverse("assessments:workplace_archive", args=[workplace.pk])
    return client.post(url, {"version": version_token(workplace.updated_at), **data})


def test_archiving_a_workplace_with_active_rows_asks_what_to_do(client, officer_a, enterprise_a, shop):
    workplace = WorkplaceFactory(department=shop, number="1")
    HazardFactory(workplace=workplace)
    client.force_login(officer_a)
    page = client.get(reverse("assessments:workplace_archive", args=[workplace.pk]))
    html = page.content.decode()
    assert 'name="rows" value="archive"' in html and 'name="rows" value="move"' in html
    assert f'href="{_structure(enterprise_a)}"' in html  # cancel
    response = _archive(client, workplace)
    assert response.status_code == 200 and response.context["form"].errors["rows"]
    workplace.refresh_from_db()
    assert workplace.archived_at is None


def test_archiving_a_workplace_and_its_rows(client, officer_a, enterprise_a, shop):
    workplace = WorkplaceFactory(department=shop, number="1")
    row = HazardFactory(workplace=workplace)
    client.force_login(officer_a)
    assert _archive(client, workplace, rows="archive").status_code == 302
    workplace.refresh_from_db()
    row.refresh_from_db()
    assert workplace.archived_at is not None and row.status == HazardStatus.ARCHIVED


def test_archiving_a_workplace_moves_its_rows(client, officer_a, enterprise_a, shop, enterprise_b):
    workplace = WorkplaceFactory(department=shop, number="1")
    keep = WorkplaceFactory(department=shop, number="2")
    foreign = WorkplaceFactory(department__enterprise=enterprise_b)
    row = HazardFactory(workplace=workplace)
    client.force_login(officer_a)
    response = _archive(client, workplace, rows="move", target=str(foreign.pk))
    assert response.status_code == 200 and response.context["form"].errors["target"]
    response = _archive(client, workplace, rows="move", target=str(workplace.pk))
    assert response.status_code == 200 and response.context["form"].errors["target"]
    assert _archive(client, workplace, rows="move", target=str(keep.pk)).status_code == 302
    row.refresh_from_db()
    assert row.workplace_id == keep.pk and row.status == HazardStatus.ACTIVE


def test_archiving_a_unit_with_contents_needs_the_box_ticked(client, officer_a, enterprise_a, shop):
    section = DepartmentFactory(enterprise=enterprise_a, parent=shop)
    WorkplaceFactory(department=section)
    client.force_login(officer_a)
    url = reverse("assessments:unit_archive", args=[shop.pk])
    response = client.post(url, {"version": version_token(shop.updated_at)})
    assert response.status_code == 200 and response.context["form"].errors["cascade"]
    assert not Department.objects.filter(archived_at__isnull=False).exists()
    response = client.post(url, {"version": version_token(shop.updated_at), "cascade": "on"})
    assert response.status_code == 302
    assert Department.objects.filter(archived_at__isnull=False).count() == 2
    assert Workplace.objects.get().archived_at is not None


# --- Queries --------------------------------------------------------------------------------------


def _queries(client, user, enterprise, url_name, size: int) -> int:
    top = DepartmentFactory(enterprise=enterprise)
    workplace = None
    for index in range(size):
        unit = DepartmentFactory(enterprise=enterprise, parent=top) if index % 3 == 0 else top
        workplace = WorkplaceFactory(department=unit)
        HazardFactory(workplace=workplace)
    target = {"enterprise": enterprise, "department": top, "workplace": workplace}
    kind, name = url_name
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name, args=[target[kind].pk])).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_name",
    [
        ("enterprise", "assessments:unit_add"),
        ("department", "assessments:unit_edit"),
        ("department", "assessments:unit_archive"),
        ("enterprise", "assessments:workplace_add"),
        ("workplace", "assessments:workplace_edit"),
        ("workplace", "assessments:workplace_archive"),
    ],
)
def test_query_count_does_not_grow_with_the_structure(
    client, officer_a, officer_b, enterprise_a, enterprise_b, url_name
):
    assert _queries(client, officer_a, enterprise_a, url_name, 3) == _queries(
        client, officer_b, enterprise_b, url_name, 30
    )
