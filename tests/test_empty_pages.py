"""Every list and page of the application in its empty state, as each role: it says what is
missing and offers the button for the next step to whoever may take it; read-only roles read who
does it instead of a button they could not use."""

import re
from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, WorkplaceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


@dataclass(frozen=True)
class Empty:
    url: str  # URL name, or a callable (enterprise, workplace, region) -> path
    marker: str  # the empty state's data-empty
    message: str  # part of what it says, in Russian
    action: object = None  # URL name of the next step, or a callable (enterprise, workplace, region, user)
    readonly: str | None = None  # what a read-only role reads instead
    needs_workplace: bool = False
    # Who gets the button: by default those who may write, or everyone when there is no
    # read-only sentence.
    actors: tuple[str, ...] | None = None


PAGES = {
    "overview": Empty(
        "assessments:overview", "workplaces", "Рабочих мест пока нет", "enterprises:structure", "Их добавляет"
    ),
    "overview-incidents": Empty(
        "assessments:overview",
        "recent-incidents",
        "происшествий не зарегистрировано",
        "assessments:incident_add",
        "Их регистрирует",
    ),
    "structure": Empty(
        "enterprises:structure", "units", "Подразделений пока нет", "assessments:unit_add", "Их добавляет"
    ),
    "register": Empty(
        "assessments:register", "register", "Реестр пуст", "enterprises:structure", "Его заполняет"
    ),
    "register-filtered": Empty(
        lambda e, w, r: reverse("assessments:register", args=[e.pk]) + "?q=противоскользящ",
        "register-filtered",
        "Нет строк реестра, соответствующих фильтрам",
        "assessments:register",
        needs_workplace=True,
    ),
    "incidents": Empty(
        "assessments:incidents",
        "incidents",
        "происшествий нет",
        "assessments:incident_add",
        "Их регистрирует",
    ),
    "approvals": Empty(
        "assessments:approvals", "approvals", "Нет оценок, ожидающих утверждения", "assessments:register"
    ),
    "plans": Empty(
        "documents:plans",
        "plans",
        "План мероприятий ещё не составлен",
        "documents:plan_new",
        "Его составляет",
    ),
    "commission": Empty(
        "documents:commission_list",
        "commission",
        "Действующего приказа о комиссии нет",
        "documents:commission_add",
        "Его вносит",
    ),
    # No order on the commission yet: the round waits for it, for every role.
    "rounds": Empty(
        "documents:round_list", "rounds", "Оценок рисков пока нет", None, "когда действует приказ"
    ),
    "cards": Empty(
        "documents:cards", "cards", "Рабочих мест пока нет", "enterprises:structure", "Их добавляет"
    ),
    "dashboard": Empty(
        "dashboards:enterprise",
        "dashboard-workplaces",
        "Рабочих мест пока нет",
        "enterprises:structure",
        "Их добавляет",
    ),
    "workplace": Empty(
        "assessments:workplace",
        "workplace-rows",
        "опасности ещё не выявлены",
        "hazards:add",
        "Их выявляет",
        needs_workplace=True,
    ),
    # Writers issue the card with the form above the message (a POST, not a link).
    "card": Empty(
        "documents:card",
        "card",
        "Карта для этого рабочего места ещё не выпускалась",
        readonly="Её выпускает",
        needs_workplace=True,
    ),
    "workers": Empty(
        "enterprises:workers",
        "workers",
        "Работники этого рабочего места ещё не внесены",
        "enterprises:worker_add",
        needs_workplace=True,
    ),
    # The region's only enterprise is left out by the industry filter.
    "region": Empty(
        lambda e, w, r: reverse("dashboards:region", args=[r.code]) + "?section=U",
        "dashboard-table",
        "Нет предприятий, соответствующих фильтрам",
        "dashboards:region",
    ),
    "tasks": Empty(
        "assessments:my_tasks",
        "tasks",
        "Открытых мер, назначенных вам, нет",
        "assessments:register",
        actors=("officer_a", "manager_a"),  # the register of their own enterprise
    ),
    "to-sign": Empty("documents:to_sign", "round-queue", "Ничто не ждёт вашей подписи"),
    "to-approve": Empty("documents:to_approve", "round-queue", "Оценок, ожидающих утверждения, нет"),
    # Each orders the report of what they see; safety officers, who subscribe no one, are sent
    # to the archive, where they order one.
    "reports": Empty(
        "reports:report_list",
        "reports",
        "Отчётов пока нет",
        lambda e, w, r, user: {
            "officer_a": reverse("reports:report_new", args=[e.pk]),
            "manager_a": reverse("reports:report_new", args=[e.pk]),
            "reviewer_a": reverse("reports:region_report_new", args=[r.code]),
        }.get(user.username, reverse("reports:federal_report_new")),
    ),
    "subscriptions": Empty(
        "reports:subscription_list",
        "subscriptions",
        "Подписок пока нет",
        lambda e, w, r, user: reverse(
            "reports:report_list" if user.username == "officer_a" else "reports:subscription_new"
        ),
    ),
}

WRITERS = ("officer_a", "manager_a", "admin_user")
READERS = ("reviewer_region", "federal")
ENTERPRISE_PAGES = (
    "overview",
    "overview-incidents",
    "structure",
    "register",
    "register-filtered",
    "incidents",
    "approvals",
    "plans",
    "commission",
    "rounds",
    "cards",
    "dashboard",
    "workplace",
)
CASES = [
    *((page, persona) for page in ENTERPRISE_PAGES for persona in (*WRITERS, *READERS)),
    # Workers' names: the enterprise's officers and managers only.
    *(("workers", persona) for persona in ("officer_a", "manager_a")),
    *(("card", persona) for persona in READERS),
    *(("region", persona) for persona in ("reviewer_region", "federal", "admin_user")),
    *(("tasks", persona) for persona in ("officer_a", "manager_a", "reviewer_region")),
    *(
        (page, persona)
        for page in ("to-sign", "to-approve", "reports", "subscriptions")
        for persona in ("officer_a", "manager_a", "reviewer_region", "federal")
    ),
]


WORKPLACE_URLS = {
    "documents:card",
    "hazards:add",
    "enterprises:worker_add",
    "enterprises:workers",
    "assessments:workplace",
}
PLAIN_URLS = {
    "assessments:my_tasks",
    "documents:to_sign",
    "documents:to_approve",
    "reports:report_list",
    "reports:subscription_list",
}


def _path(name, enterprise, workplace, region) -> str:
    if callable(name):
        return name(enterprise, workplace, region)
    if name in WORKPLACE_URLS:
        return reverse(name, args=[workplace.pk])
    if name in PLAIN_URLS:
        return reverse(name)
    if name == "dashboards:region":
        return reverse(name, args=[region.code])
    return reverse(name, args=[enterprise.pk])


# Not "page": that name is pytest-playwright's browser page, and asking for it would make every case a
# browser test, grouped and run beside the live-server tests that empty the database.
@pytest.mark.parametrize(("empty_page", "persona"), CASES, ids=[f"{p}-{persona}" for p, persona in CASES])
def test_every_empty_page_says_what_to_do_next(client, request, enterprise_a, region_a, empty_page, persona):
    spec = PAGES[empty_page]
    user = request.getfixturevalue(persona)
    workplace = None
    if spec.needs_workplace:
        workplace = WorkplaceFactory(department=DepartmentFactory(enterprise=enterprise_a))
    client.force_login(user)
    url = _path(spec.url, enterprise_a, workplace, region_a)
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert f'data-empty="{spec.marker}"' in html, f"{empty_page} shows no empty state"
    text = html[html.index(f'data-empty="{spec.marker}"') :][:2500]
    assert spec.message in text
    buttons = re.findall(r'class="[^"]*empty-action[^"]*" href="([^"]*)"', text)
    may_act = persona in spec.actors if spec.actors is not None else user.can_write or spec.readonly is None
    if spec.action and may_act:
        if callable(spec.action):
            expected = spec.action(enterprise_a, workplace, region_a, user)
        else:
            expected = _path(spec.action, enterprise_a, workplace, region_a).split("?")[0]
        assert buttons, f"{empty_page} offers {persona} no button"
        assert buttons[0].split("?")[0] == expected
    else:
        assert not buttons, f"{empty_page} offers {persona} a button it may not use: {buttons}"
        if spec.readonly:
            assert spec.readonly in text
