"""A figure that a report shows twice shows the same number twice, and the same number as the
dashboard for the same scope and period: every section takes it from dashboards.figures.

Each report type is rendered for a past period (the hand-counted history of test_period_truth),
its text extracted with pypdf and read back label by label."""

import re

import pytest
from django.urls import reverse

from enterprises.models import Role
from reports import pdf, services
from reports.models import ReportType
from tests.factories import UserFactory

from .test_pdf_content import flat, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reports_in_tmp(tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from reports.models import Report

    monkeypatch.setattr(Report._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))


def rendered_text(report_type, scope, period) -> str:
    report, _created = services.report_request(type=report_type, scope=scope, period=period, language="ru")
    report = services.report_render(report=report)
    with report.file.open("rb") as source:
        return flat(pdf_text(source.read()))


def number(text: str, label: str) -> int:
    """The first figure after a label (the period's column of a table, or a heading's count)."""
    match = re.search(re.escape(label) + r"\s*\(?(\d+)", text)
    assert match, f"{label!r} not found"
    return int(match.group(1))


def enterprise_report_figures(text: str) -> dict:
    """The figures an enterprise report shows twice, each pair checked equal, by name."""
    high_critical = number(text, "Высокие и критические риски на конец периода")
    assert high_critical == number(text, "Критический ") + number(text, "Высокий ")
    not_rated = number(text, "Строки без оценки на конец периода")
    assert not_rated == number(text, "Без оценки ")
    rated = number(text, "Оценённые строки реестра на конец периода")
    assert rated + not_rated == number(text, "Строки реестра (актуальные) ")
    assessed = number(text, "Оценённые рабочие места на конец периода")
    assert assessed == number(text, "Оценено рабочих мест / всего ")
    overdue = number(text, "Просроченные меры на конец периода")
    assert overdue == number(text, "Просрочены на конец периода")
    due = number(text, "Меры со сроком в периоде")
    assert due == number(text, "Срок в периоде")
    done = number(text, "Меры, выполненные в периоде")
    assert done == number(text, "Выполнено в периоде")
    return {
        "high_critical": high_critical,
        "not_rated": not_rated,
        "rated": rated,
        "assessed": assessed,
        "overdue": overdue,
        "due": due,
        "done": done,
        "victims": number(text, "Пострадавшие при несчастных случаях"),
        "fatal": number(text, "из них погибших"),
    }


def test_every_figure_of_the_enterprise_report_agrees_with_itself_and_the_dashboard(
    client, enterprise_a, period_start, history
):
    period = pdf.period_of(period_start)
    text = rendered_text(ReportType.ENTERPRISE, enterprise_a, period)
    assert "Период не завершён" not in text

    report = enterprise_report_figures(text)
    assert report == {
        "high_critical": 1,
        "not_rated": 1,
        "rated": 2,
        "assessed": 0,
        "overdue": 1,
        "due": 2,
        "done": 1,
        "victims": 3,
        "fatal": 1,
    }

    manager = UserFactory(role=Role.MANAGER, enterprise=enterprise_a)
    client.force_login(manager)
    response = client.get(
        reverse("dashboards:enterprise", args=[enterprise_a.pk]), {"period": f"{period_start:%Y-%m}"}
    )
    row = response.context["row"]
    dashboard = {
        "high_critical": row.rows_high_critical,
        "not_rated": row.rows_not_rated,
        "rated": row.rows_rated,
        "assessed": row.workplaces_assessed,
        "overdue": row.measures_overdue,
        "due": row.measures_due,
        "done": row.measures_done_in_period,
        "victims": row.accident_victims,
        "fatal": row.fatal_victims,
    }
    assert dashboard == report
    assert "Реестр на конец периода" in response.content.decode()


@pytest.mark.parametrize("report_type", [ReportType.REGION, ReportType.FEDERAL])
def test_summaries_agree_with_the_enterprise_report_and_the_dashboard(
    client, enterprise_a, period_start, history, report_type
):
    period = pdf.period_of(period_start)
    scope = enterprise_a.region if report_type == ReportType.REGION else None
    text = rendered_text(report_type, scope, period)
    enterprise_text = rendered_text(ReportType.ENTERPRISE, enterprise_a, period)
    # The only enterprise with a register: the totals are its figures.
    for label in (
        "Высокие и критические риски на конец периода",
        "Строки без оценки на конец периода",
        "Меры со сроком в периоде",
        "Меры, выполненные в периоде",
        "Пострадавшие при несчастных случаях",
        "из них погибших",
    ):
        assert number(text, label) == number(enterprise_text, label), label
    assert "Кч" in text and "Коэффициент смертельного травматизма" in text

    federal = UserFactory(role=Role.FEDERAL_REVIEWER)
    client.force_login(federal)
    url = (
        reverse("dashboards:region", args=[enterprise_a.region.code])
        if report_type == ReportType.REGION
        else reverse("dashboards:federal")
    )
    totals = client.get(url, {"period": f"{period_start:%Y-%m}"}).context["totals"]
    assert totals.rows_high_critical == number(text, "Высокие и критические риски на конец периода")
    assert totals.measures_due == number(text, "Меры со сроком в периоде")
    assert totals.fatal_victims == number(text, "из них погибших")


def test_the_enterprise_dashboards_workplaces_are_those_of_the_period_end(
    client, enterprise_a, period_start, history
):
    manager = UserFactory(role=Role.MANAGER, enterprise=enterprise_a)
    client.force_login(manager)
    url = reverse("dashboards:enterprise", args=[enterprise_a.pk])
    ended = client.get(url, {"period": f"{period_start:%Y-%m}"}).context["workplaces"]
    # Only W1 stood at the end of the period: W2 came later, W3 was archived within it.
    assert [(w.pk, w.rows, w.unrated, w.serious, w.top_level) for w in ended] == [
        (history["w1"].pk, 3, 1, 1, 5)
    ]
    now = client.get(url).context["workplaces"]
    assert {w.pk for w in now} == {history["w1"].pk, history["w2"].pk}
