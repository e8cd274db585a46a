"""The register list's page in narrow queries (assessments.views.register_page), its tags built in
Python (assessments.templatetags.register_rows) and the workplace filter that lists one unit's
workplaces: the same page as before, drawn faster."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from hazards.filters import MAX_WORKPLACE_CHOICES, WORKPLACE_HELP
from tests.factories import DepartmentFactory, HazardFactory, WorkplaceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("level", [None, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("language", ["ru", "en"])
def test_level_badge_tag_draws_the_same_badge_as_the_template(level, language):
    from django.utils import translation

    with translation.override(language):
        included = Template('{% include "assessments/_level_badge.html" %}').render(Context({"level": level}))
        tagged = Template("{% load register_rows %}{% level_badge level %}").render(Context({"level": level}))
    assert tagged == included.strip()


@pytest.mark.parametrize("language", ["ru", "en", "ru"])  # Russian again: nothing kept from English
def test_pk_url_tag_gives_the_same_address_as_url(language):
    from django.utils import translation

    with translation.override(language):
        rendered = Template(
            "{% load register_rows %}{% pk_url 'assessments:hazard' 7 %}|{% pk_url 'hazards:edit' 123 %}"
        ).render(Context())
        expected = f"{reverse('assessments:hazard', args=[7])}|{reverse('hazards:edit', args=[123])}"
    assert rendered == expected
    assert rendered.startswith("/en/") == (language == "en")


def test_english_register_links_stay_in_english(client, officer_a, enterprise_a):
    from django.utils import translation

    row = HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
    client.force_login(officer_a)
    client.get(reverse("assessments:register", args=[enterprise_a.pk]))  # a Russian page first
    with translation.override("en"):
        url = reverse("assessments:register", args=[enterprise_a.pk])
        row_url = reverse("assessments:hazard", args=[row.pk])
    page = client.get(url).content.decode()
    assert row_url.startswith("/en/") and f'href="{row_url}"' in page
    assert f'href="{row_url.removeprefix("/en")}"' not in page


def _workplace_options(client, enterprise, query=""):
    response = client.get(f"{reverse('assessments:register', args=[enterprise.pk])}?{query}")
    assert response.status_code == 200
    field = response.context["filter"].form["workplace"]
    return [str(value) for value, _label in field.field.choices if value != ""], response


def test_workplace_filter_lists_only_the_chosen_units_workplaces(client, officer_a, enterprise_a):
    mine = DepartmentFactory(enterprise=enterprise_a, name="Рудник")
    section = DepartmentFactory(enterprise=enterprise_a, parent=mine, name="Участок")
    workshop = DepartmentFactory(enterprise=enterprise_a, name="Мастерская")
    miner = WorkplaceFactory(department=section, number="2")
    fitter = WorkplaceFactory(department=workshop, number="3")
    HazardFactory(workplace=miner)
    HazardFactory(workplace=fitter)
    client.force_login(officer_a)

    options, response = _workplace_options(client, enterprise_a)
    assert options == []
    assert str(WORKPLACE_HELP) in response.content.decode()

    options, _response = _workplace_options(client, enterprise_a, f"department={mine.pk}")
    assert options == [str(miner.pk)]

    # A workplace chosen from a link (the workplace page) stays chosen without a unit.
    options, response = _workplace_options(client, enterprise_a, f"workplace={fitter.pk}")
    assert options == [str(fitter.pk)]
    assert [row.workplace_id for row in response.context["page"]] == [fitter.pk]


def test_workplace_of_another_enterprise_is_refused(client, officer_a, enterprise_a, enterprise_b):
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_a))
    foreign = WorkplaceFactory(department__enterprise=enterprise_b)
    client.force_login(officer_a)
    options, response = _workplace_options(client, enterprise_a, f"workplace={foreign.pk}")
    assert options == []
    assert response.context["filter"].form.errors["workplace"]


def test_workplace_select_is_capped(client, officer_a, enterprise_a, monkeypatch):
    monkeypatch.setattr("hazards.filters.MAX_WORKPLACE_CHOICES", 2)
    unit = DepartmentFactory(enterprise=enterprise_a)
    for number in ("1", "2", "10"):
        WorkplaceFactory(department=unit, number=number)
    client.force_login(officer_a)
    options, _response = _workplace_options(client, enterprise_a, f"department={unit.pk}")
    assert len(options) == 2
    assert MAX_WORKPLACE_CHOICES >= 200  # the largest units of the pilot fit


def test_page_keeps_the_sort_order_of_the_ids(client, officer_a, enterprise_a):
    unit = DepartmentFactory(enterprise=enterprise_a)
    for number, level in (("10", 1), ("2", 5), ("3", 3)):
        HazardFactory(workplace=WorkplaceFactory(department=unit, number=number), risk_level=level)
    client.force_login(officer_a)
    url = reverse("assessments:register", args=[enterprise_a.pk])
    page = client.get(url).context["page"]
    assert [row.workplace.number for row in page] == ["2", "3", "10"]
    page = client.get(f"{url}?sort=level").context["page"]
    assert [row.risk_level for row in page] == [1, 3, 5]
    assert page.paginator.count == 3


@pytest.mark.parametrize("value", [None, "", "b", "9"])
def test_plain_select_draws_what_django_draws(value):
    import re

    from django import forms

    from hazards.filters import PlainSelect

    choices = [("", "Все"), ("a", "Первый <и> второй"), ("b", "Б")]
    # As the form draws them: the class on the widget, the id from the bound field.
    css, attrs = {"class": "form-select"}, {"id": "id_x"}
    django_html = forms.Select(attrs=css, choices=choices).render("x", value, attrs=attrs)
    plain_html = PlainSelect(attrs=css, choices=choices).render("x", value, attrs=attrs)
    assert re.sub(r">\s+<", "><", django_html).strip() == plain_html


def _row_of_every_kind(enterprise, officer, manager, number: str):
    """A row with all the list draws: a unit, a residual level, overdue measures, a review date,
    a re-assessment flag and an assessment returned for correction."""
    import datetime

    from django.utils import timezone

    from assessments.services import assessment_create, assessment_return
    from tests.factories import ControlMeasureFactory

    unit = DepartmentFactory(enterprise=enterprise, name=f"Цех {number}")
    row = HazardFactory(
        workplace=WorkplaceFactory(department=unit, number=number, position="Машинист"),
        needs_reassessment=True,
        next_review_on=timezone.localdate(),
    )
    assessment = assessment_create(
        hazard=row,
        assessor=officer,
        inputs={"probability": 4, "severity": 4},
        residual_inputs={"probability": 1, "severity": 4},
    )
    assessment_return(assessment=assessment, user=manager, reason=f"Уточнить источник {number}")
    ControlMeasureFactory(hazard=row, due_date=timezone.localdate() - datetime.timedelta(days=1))
    return row


@pytest.mark.parametrize("language", ["ru", "en"])
def test_rows_read_only_what_they_draw_in_the_same_queries_whatever_their_number(
    client, officer_a, manager_a, enterprise_a, language
):
    """The page reads a few columns of each table (register_page.SHOWN_FIELDS): a field drawn
    but not read would cost a query per row, and the count would grow with the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    client.force_login(officer_a)
    with translation.override(language):  # the URL under /en/ for English
        url = reverse("assessments:register", args=[enterprise_a.pk])

    def drawn():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    _row_of_every_kind(enterprise_a, officer_a, manager_a, "1")
    one, page = drawn()
    for number in range(2, 8):
        _row_of_every_kind(enterprise_a, officer_a, manager_a, str(number))
    seven, page = drawn()
    assert one == seven
    event = HazardFactory.build().event
    name = event.name_en if language == "en" else event.name_ru
    for text in ("Цех 7", "Уточнить источник 7", "Машинист", event.code, name[:40]):
        assert text in page
    assert page.count("risk-4") >= 14 and page.count("badge text-bg-danger") >= 14


@pytest.mark.parametrize(
    "value",
    ["<b>«Ёлка» & 'кавычки'</b>", 'a "quoted" word', 42, None, "", "safe", "lazy"],
)
def test_row_markup_is_escaped_as_format_html_escapes_it(value):
    from django.utils.html import format_html
    from django.utils.safestring import SafeString, mark_safe
    from django.utils.translation import gettext_lazy

    from riskpilot.markup import html

    if value == "safe":
        value = mark_safe("<i>уже разметка</i>")
    elif value == "lazy":
        value = gettext_lazy("Risk level")
    drawn = html('<span title="{}">{}</span>', value, value)
    assert drawn == format_html('<span title="{}">{}</span>', value, value)
    assert isinstance(drawn, SafeString)
