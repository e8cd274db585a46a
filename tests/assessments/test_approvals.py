"""The manager's approval queue: approving several drafts after a confirmation, refusing outdated
or changed ones, returning a draft with a reason that the officer then sees (row page, register,
weekly reminder) and corrects by re-assessing; who may do what; the queue's query count."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import reminders
from assessments.models import AssessmentStatus, RiskAssessment
from assessments.services import (
    approval_token,
    assessment_approve,
    assessment_create,
    assessment_return,
    assessments_approve,
)
from enterprises.models import Role
from hazards.models import HazardStatus
from hazards.services import hazard_set_status, hazard_update
from tests.factories import HazardFactory, UserFactory, WorkplaceFactory

pytest_plugins = ["tests.assessments.test_risk_support"]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]

MIDDLE = {"probability": 3, "severity": 3}


def _row(enterprise, number="1"):
    return HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise, number=number))


def _draft(hazard, assessor, inputs=MIDDLE):
    return assessment_create(hazard=hazard, assessor=assessor, inputs=inputs)


def _reload(assessment):
    return RiskAssessment.objects.select_related("hazard").get(pk=assessment.pk)


@pytest.fixture
def drafts(enterprise_a, officer_a):
    return [_draft(_row(enterprise_a, str(n)), officer_a) for n in (1, 2, 3)]


def _queue_url(enterprise):
    return reverse("assessments:approvals", args=[enterprise.pk])


def _approve_url(enterprise):
    return reverse("assessments:approvals_approve", args=[enterprise.pk])


def _return_url(assessment):
    return reverse("assessments:assessment_return", args=[assessment.pk])


def _post_data(assessments, *, confirm=True, versions=None):
    data = {"assessments": [a.pk for a in assessments]}
    for a in assessments:
        data[f"version-{a.pk}"] = (versions or {}).get(a.pk, approval_token(_reload(a)))
    if confirm:
        data["confirm"] = "on"
    return data


# --- Services -----------------------------------------------------------------------------------


def test_manager_approves_several_drafts_at_once_with_their_history(drafts, manager_a):
    versions = {a.pk: approval_token(_reload(a)) for a in drafts}
    outcome = assessments_approve(assessments=drafts, user=manager_a, versions=versions)
    assert sorted(a.pk for a in outcome.approved) == sorted(a.pk for a in drafts)
    assert outcome.refused == [] and outcome.already == []
    for draft in drafts:
        draft.refresh_from_db()
        assert (draft.status, draft.approved_by) == (AssessmentStatus.APPROVED, manager_a)
        # The approval is a record of the assessment's history, by the service that always did it.
        assert list(draft.history.order_by("history_id").values_list("status", flat=True)) == [
            AssessmentStatus.DRAFT,
            AssessmentStatus.APPROVED,
        ]


def test_an_outdated_draft_is_refused_and_reported_while_the_others_are_approved(
    enterprise_a, officer_a, manager_a
):
    hazard = _row(enterprise_a)
    old = _draft(hazard, officer_a)
    old_version = approval_token(_reload(old))
    newer = _draft(hazard, officer_a, {"probability": 2, "severity": 3})
    other = _draft(_row(enterprise_a, "2"), officer_a)
    outcome = assessments_approve(
        assessments=[old, other],
        user=manager_a,
        versions={old.pk: old_version, other.pk: approval_token(_reload(other))},
    )
    assert [a.pk for a in outcome.approved] == [other.pk]
    assert [a.pk for a, _reason in outcome.refused] == [old.pk]
    assert "устарела" in outcome.refused[0][1]
    old.refresh_from_db()
    newer.refresh_from_db()
    assert old.status == AssessmentStatus.DRAFT and old.approved_by is None
    assert newer.status == AssessmentStatus.DRAFT


def test_an_outdated_draft_cannot_be_approved_even_without_a_version(enterprise_a, officer_a, manager_a):
    hazard = _row(enterprise_a)
    old = _draft(hazard, officer_a)
    _draft(hazard, officer_a, {"probability": 2, "severity": 3})
    with pytest.raises(ValidationError) as refused:
        assessment_approve(assessment=old, user=manager_a)
    assert refused.value.code == "outdated"
    old.refresh_from_db()
    assert old.status == AssessmentStatus.DRAFT


def test_a_draft_of_an_archived_row_is_outdated(enterprise_a, officer_a, manager_a):
    hazard = _row(enterprise_a)
    draft = _draft(hazard, officer_a)
    hazard_set_status(hazard=hazard, status=HazardStatus.ARCHIVED)
    with pytest.raises(ValidationError):
        assessment_approve(assessment=draft, user=manager_a)
    assert not RiskAssessment.objects.waiting_for_approval().filter(pk=draft.pk).exists()


def test_a_draft_whose_row_changed_since_the_queue_was_loaded_is_refused(enterprise_a, officer_a, manager_a):
    hazard = _row(enterprise_a)
    draft = _draft(hazard, officer_a)
    seen = approval_token(_reload(draft))
    hazard.refresh_from_db()
    hazard_update(hazard=hazard, source="Другой источник", activity=hazard.activity)
    outcome = assessments_approve(assessments=[draft], user=manager_a, versions={draft.pk: seen})
    assert outcome.approved == [] and [a.pk for a, _ in outcome.refused] == [draft.pk]
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    # Reloaded, the page carries the new version, and the approval goes through.
    outcome = assessments_approve(
        assessments=[draft], user=manager_a, versions={draft.pk: approval_token(_reload(draft))}
    )
    assert [a.pk for a in outcome.approved] == [draft.pk]


def test_a_bulk_approval_without_the_versions_approves_nothing(drafts, manager_a):
    outcome = assessments_approve(assessments=drafts, user=manager_a, versions={})
    assert outcome.approved == [] and len(outcome.refused) == 3
    assert not RiskAssessment.objects.filter(status=AssessmentStatus.APPROVED).exists()


def test_a_draft_approved_meanwhile_is_reported_as_already_approved(drafts, manager_a, admin_user):
    draft = drafts[0]
    version = approval_token(_reload(draft))
    assessment_approve(assessment=draft, user=admin_user)
    outcome = assessments_approve(assessments=[draft], user=manager_a, versions={draft.pk: version})
    assert [a.pk for a in outcome.already] == [draft.pk]
    draft.refresh_from_db()
    assert draft.approved_by == admin_user


@pytest.mark.parametrize("persona", ["officer_a", "reviewer_region", "federal"])
def test_only_managers_and_admins_approve_or_return(request, drafts, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        assessments_approve(assessments=drafts, user=user, versions={})
    with pytest.raises(PermissionDenied):
        assessment_return(assessment=drafts[0], user=user, reason="Нет")
    assert not RiskAssessment.objects.exclude(status=AssessmentStatus.DRAFT).exists()


def test_manager_returns_a_draft_with_the_reason_who_and_when(drafts, manager_a):
    draft = drafts[0]
    before = timezone.now()
    assessment_return(
        assessment=draft,
        user=manager_a,
        reason="  Тяжесть занижена: учтите падение с высоты.  ",
        version=approval_token(_reload(draft)),
    )
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.RETURNED
    assert draft.return_reason == "Тяжесть занижена: учтите падение с высоты."
    assert draft.returned_by == manager_a and draft.returned_at >= before
    assert draft.is_current  # its rating stays the row's until the officer corrects it
    assert draft.history.latest().status == AssessmentStatus.RETURNED
    # A returned draft is out of the queue and can no longer be approved.
    assert not RiskAssessment.objects.waiting_for_approval().filter(pk=draft.pk).exists()
    with pytest.raises(ValidationError) as refused:
        assessment_approve(assessment=draft, user=manager_a)
    assert refused.value.code == "returned"


@pytest.mark.parametrize("reason", ["", "   \n ", "Ж" * 2001])
def test_a_return_without_a_usable_reason_is_refused(drafts, manager_a, reason):
    with pytest.raises(ValidationError) as refused:
        assessment_return(assessment=drafts[0], user=manager_a, reason=reason)
    assert "reason" in refused.value.message_dict
    drafts[0].refresh_from_db()
    assert drafts[0].status == AssessmentStatus.DRAFT


def test_an_approved_or_outdated_draft_cannot_be_returned(enterprise_a, officer_a, manager_a):
    hazard = _row(enterprise_a)
    old = _draft(hazard, officer_a)
    _draft(hazard, officer_a, {"probability": 2, "severity": 3})
    with pytest.raises(ValidationError):
        assessment_return(assessment=old, user=manager_a, reason="Поздно")
    approved = _draft(_row(enterprise_a, "2"), officer_a)
    assessment_approve(assessment=approved, user=manager_a)
    with pytest.raises(ValidationError):
        assessment_return(assessment=approved, user=manager_a, reason="Поздно")
    assert not RiskAssessment.objects.filter(status=AssessmentStatus.RETURNED).exists()


def test_the_officers_correction_waits_for_approval_again(drafts, officer_a, manager_a):
    returned = drafts[0]
    assessment_return(assessment=returned, user=manager_a, reason="Учтите ночную смену.")
    corrected = _draft(returned.hazard, officer_a, {"probability": 4, "severity": 3})
    returned.refresh_from_db()
    assert returned.status == AssessmentStatus.RETURNED and not returned.is_current
    assert RiskAssessment.objects.waiting_for_approval().filter(pk=corrected.pk).exists()
    assessment_approve(assessment=corrected, user=manager_a)


# --- The queue ----------------------------------------------------------------------------------


def test_manager_lands_on_the_queue_of_drafts_oldest_first(client, enterprise_a, officer_a, manager_a):
    first = _draft(_row(enterprise_a, "7"), officer_a)
    second = _draft(_row(enterprise_a, "3"), officer_a)
    approved = _draft(_row(enterprise_a, "4"), officer_a)
    assessment_approve(assessment=approved, user=manager_a)
    returned = _draft(_row(enterprise_a, "5"), officer_a)
    assessment_return(assessment=returned, user=manager_a, reason="Исправить")
    replaced_row = _row(enterprise_a, "6")
    replaced = _draft(replaced_row, officer_a)
    newest = _draft(replaced_row, officer_a, {"probability": 2, "severity": 2})
    other_enterprise = _draft(_row(_other_enterprise(enterprise_a), "1"), officer_a)

    client.force_login(manager_a)
    home = client.get(reverse("home"))
    assert home["Location"] == _queue_url(enterprise_a)
    response = client.get(home["Location"])
    assert response.status_code == 200
    listed = [item["assessment"].pk for item in response.context["items"]]
    assert listed == [first.pk, second.pk, newest.pk]
    assert not {approved.pk, returned.pk, replaced.pk, other_enterprise.pk} & set(listed)
    page = response.content.decode()
    assert "№ 7" in page and first.hazard.event.code in page and str(officer_a) in page
    assert f'name="version-{first.pk}" value="{approval_token(_reload(first))}"' in page


def _other_enterprise(enterprise):
    from tests.factories import EnterpriseFactory

    return EnterpriseFactory(region=enterprise.region)


def test_an_empty_queue_says_what_it_means_and_links_to_the_register(client, enterprise_a, manager_a):
    client.force_login(manager_a)
    page = client.get(_queue_url(enterprise_a)).content.decode()
    assert "Нет оценок, ожидающих утверждения" in page
    assert reverse("assessments:register", args=[enterprise_a.pk]) in page


def test_officers_and_reviewers_read_the_queue_without_decision_buttons(
    client, drafts, enterprise_a, officer_a, reviewer_region
):
    for user in (officer_a, reviewer_region):
        client.force_login(user)
        response = client.get(_queue_url(enterprise_a))
        assert response.status_code == 200
        page = response.content.decode()
        assert len(response.context["items"]) == 3
        assert 'name="assessments"' not in page and _return_url(drafts[0]) not in page


@pytest.mark.parametrize("persona", ["officer_b", "reviewer_other_region"])
def test_the_queue_of_another_enterprise_is_not_found(request, client, enterprise_a, drafts, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_queue_url(enterprise_a)).status_code == 404
    assert client.post(_approve_url(enterprise_a), _post_data(drafts)).status_code == 404
    assert client.get(_return_url(drafts[0])).status_code == 404
    assert client.post(_return_url(drafts[0]), {"reason": "x"}).status_code == 404
    assert not RiskAssessment.objects.exclude(status=AssessmentStatus.DRAFT).exists()


@pytest.mark.parametrize("persona", ["officer_a", "reviewer_region", "federal"])
def test_those_who_see_the_queue_but_do_not_decide_get_403(request, client, enterprise_a, drafts, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_approve_url(enterprise_a), _post_data(drafts)).status_code == 403
    assert client.get(_return_url(drafts[0])).status_code == 403
    data = {"reason": "Исправить", "version": approval_token(_reload(drafts[0]))}
    assert client.post(_return_url(drafts[0]), data).status_code == 403
    assert not RiskAssessment.objects.exclude(status=AssessmentStatus.DRAFT).exists()


def test_bulk_approval_asks_for_confirmation_first(client, drafts, enterprise_a, manager_a):
    client.force_login(manager_a)
    response = client.post(_approve_url(enterprise_a), _post_data(drafts[:2], confirm=False))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Утвердить 2 оценки?" in page
    assert [item["assessment"].pk for item in response.context["items"]] == [a.pk for a in drafts[:2]]
    assert not RiskAssessment.objects.filter(status=AssessmentStatus.APPROVED).exists()

    response = client.post(_approve_url(enterprise_a), _post_data(drafts[:2]), follow=True)
    assert "Утверждены 2 оценки." in response.content.decode()
    statuses = dict(RiskAssessment.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in drafts] == ["approved", "approved", "draft"]


def test_a_rows_own_approve_button_approves_that_draft_alone(client, drafts, enterprise_a, manager_a):
    client.force_login(manager_a)
    data = {**_post_data(drafts, confirm=False), "only": drafts[1].pk}
    response = client.post(_approve_url(enterprise_a), data)
    assert [item["assessment"].pk for item in response.context["items"]] == [drafts[1].pk]


def test_the_confirmation_marks_and_the_approval_reports_an_outdated_draft(
    client, enterprise_a, officer_a, manager_a
):
    hazard = _row(enterprise_a, "12")
    old = _draft(hazard, officer_a)
    data = _post_data([old])
    _draft(hazard, officer_a, {"probability": 1, "severity": 1})
    client.force_login(manager_a)
    confirmation = client.post(_approve_url(enterprise_a), {**data, "confirm": ""}).content.decode()
    assert "Устарела" in confirmation
    response = client.post(_approve_url(enterprise_a), data, follow=True)
    page = response.content.decode()
    assert "Не утверждено — рабочее место № 12" in page
    old.refresh_from_db()
    assert old.status == AssessmentStatus.DRAFT


def test_a_tampered_version_is_refused_not_approved(client, drafts, enterprise_a, manager_a):
    client.force_login(manager_a)
    data = _post_data(drafts[:1], versions={drafts[0].pk: "1-1"})
    response = client.post(_approve_url(enterprise_a), data, follow=True)
    assert "изменились после загрузки страницы" in response.content.decode()
    drafts[0].refresh_from_db()
    assert drafts[0].status == AssessmentStatus.DRAFT


def test_nothing_ticked_or_another_enterprises_draft_approves_nothing(
    client, drafts, enterprise_a, officer_b, manager_a
):
    foreign = _draft(_row(officer_b.enterprise), officer_b)
    client.force_login(manager_a)
    response = client.post(_approve_url(enterprise_a), {"confirm": "on"}, follow=True)
    assert "Отметьте хотя бы одну оценку" in response.content.decode()
    response = client.post(_approve_url(enterprise_a), _post_data([foreign]))
    assert response.status_code == 302
    assert not RiskAssessment.objects.filter(status=AssessmentStatus.APPROVED).exists()


def _queue_queries(client, user, enterprise, officer, count):
    for n in range(count):
        _draft(_row(enterprise, f"{count}-{n}"), officer)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_queue_url(enterprise))
    assert len(response.context["items"]) == count
    return len(queries)


def test_queue_query_count_does_not_grow_with_the_drafts(client, region_a, manager_a, officer_a):
    from tests.factories import EnterpriseFactory

    few, many = EnterpriseFactory(region=region_a), EnterpriseFactory(region=region_a)
    officer_few = UserFactory(role=Role.OFFICER, enterprise=few)
    officer_many = UserFactory(role=Role.OFFICER, enterprise=many)
    admin = UserFactory(role=Role.ADMIN, is_superuser=True, is_staff=True)
    assert _queue_queries(client, admin, few, officer_few, 1) == _queue_queries(
        client, admin, many, officer_many, 20
    )


def test_the_menu_count_costs_one_query_whatever_the_queue(client, enterprise_a, officer_a, manager_a):
    def register_page_queries():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("assessments:overview", args=[enterprise_a.pk])).content.decode()
        return len(queries), page

    client.force_login(manager_a)
    _draft(_row(enterprise_a, "1"), officer_a)
    one, page = register_page_queries()
    assert 'id="nav-approvals-count"' in page and ">1</span>" in page
    for n in range(2, 12):
        _draft(_row(enterprise_a, str(n)), officer_a)
    eleven, page = register_page_queries()
    assert one == eleven
    assert ">11</span>" in page


def test_the_menu_item_is_for_managers(client, drafts, enterprise_a, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("assessments:overview", args=[enterprise_a.pk])).content.decode()
    assert 'id="nav-approvals"' not in page


# --- Return with a reason -----------------------------------------------------------------------


def test_manager_returns_a_draft_from_its_form(client, drafts, enterprise_a, manager_a):
    draft = drafts[0]
    client.force_login(manager_a)
    form = client.get(_return_url(draft))
    assert form.status_code == 200
    version = form.context["form"]["version"].value()
    response = client.post(
        _return_url(draft), {"reason": "Уточните численность работников.", "version": version}
    )
    assert response.status_code == 302 and response["Location"] == _queue_url(enterprise_a)
    draft.refresh_from_db()
    assert (draft.status, draft.return_reason, draft.returned_by) == (
        AssessmentStatus.RETURNED,
        "Уточните численность работников.",
        manager_a,
    )


@pytest.mark.parametrize("data", [{}, {"reason": "  "}, {"reason": "Ок"}, {"reason": "Ок", "version": "1-2"}])
def test_a_return_refused_shows_the_form_again_and_changes_nothing(client, drafts, manager_a, data):
    client.force_login(manager_a)
    response = client.post(_return_url(drafts[0]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    drafts[0].refresh_from_db()
    assert drafts[0].status == AssessmentStatus.DRAFT


# --- What the officer sees ----------------------------------------------------------------------


def test_officer_sees_the_reason_on_the_row_page_and_in_the_register(
    client, drafts, enterprise_a, officer_a, manager_a
):
    draft = drafts[0]
    assessment_return(assessment=draft, user=manager_a, reason="Тяжесть занижена.")
    client.force_login(officer_a)
    row_page = client.get(reverse("assessments:hazard", args=[draft.hazard_id])).content.decode()
    assert 'id="returned-banner"' in row_page and "Тяжесть занижена." in row_page
    assert reverse("assessments:assess", args=[draft.hazard_id]) in row_page
    register = client.get(reverse("assessments:register", args=[enterprise_a.pk])).content.decode()
    assert "Возвращено на доработку" in register and "Тяжесть занижена." in register
    form = client.get(reverse("assessments:assess", args=[draft.hazard_id]))
    assert "Тяжесть занижена." in form.content.decode()
    assert form.context["form"].initial["reason"] == draft.reason


def test_no_approve_button_on_an_outdated_draft(client, enterprise_a, officer_a, manager_a):
    hazard = _row(enterprise_a)
    old = _draft(hazard, officer_a)
    newest = _draft(hazard, officer_a, {"probability": 2, "severity": 2})
    client.force_login(manager_a)
    page = client.get(reverse("assessments:hazard", args=[hazard.pk])).content.decode()
    assert f'name="version-{old.pk}"' not in page and _return_url(old) not in page
    assert f'name="version-{newest.pk}"' in page and _return_url(newest) in page
    assert "Устарела" in page


def test_the_weekly_reminder_lists_the_returned_assessment_with_its_reason(
    enterprise_a, officer_a, manager_a, settings
):
    settings.SITE_URL = "https://riskpilot.example.org"
    officer_a.email = "ot@a.ru"
    officer_a.save()
    draft = _draft(_row(enterprise_a, "17"), officer_a)
    assessment_return(assessment=draft, user=manager_a, reason="Добавьте ночную смену.")
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    assert reminders.digests_send(enterprise_ids=[enterprise_a.pk], today=monday) == 1
    body = mail.outbox[0].body
    assert "Оценки, возвращённые руководителем на доработку (1):" in body
    assert "Добавьте ночную смену." in body
    assert "рабочее место 17" in body
    assert reverse("assessments:hazard", args=[draft.hazard_id]) in body


def test_a_corrected_assessment_leaves_the_reminder(enterprise_a, officer_a, manager_a):
    draft = _draft(_row(enterprise_a), officer_a)
    assessment_return(assessment=draft, user=manager_a, reason="Исправить")
    assert reminders.digest_for(enterprise_a, timezone.localdate()).returned_count == 1
    _draft(draft.hazard, officer_a, {"probability": 2, "severity": 2})
    digest = reminders.digest_for(enterprise_a, timezone.localdate())
    assert digest.returned_count == 0 and digest.is_empty


def test_a_returned_assessment_cannot_be_changed_in_the_admin(rf, drafts, manager_a, admin_user):
    from django.contrib.admin.sites import site as admin_site

    model_admin = admin_site._registry[RiskAssessment]
    request = rf.get("/")
    request.user = admin_user
    assert model_admin.has_change_permission(request, drafts[0])
    assessment_return(assessment=drafts[0], user=manager_a, reason="Исправить")
    assert not model_admin.has_change_permission(request, drafts[0])
