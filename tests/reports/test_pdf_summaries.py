"""The regional and federal summaries: one section per enterprise (regional) and per region
(federal), with figures checked against the register built here; and the pages that order them."""

import pytest
from django.utils import timezone

from dashboards.rollups import first_of_month
from reports import pdf, services
from reports.models import Report, ReportStatus, ReportType
from tests.factories import ControlMeasureFactory, EnterpriseFactory, HazardFactory, WorkplaceFactory
from tests.submission import with_key

from .conftest import url
from .test_pdf_content import flat, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reports_in_tmp(tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    monkeypatch.setattr(Report._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))


@pytest.fixture
def country(region_a, region_b, enterprise_a, enterprise_b, enterprise_c):
    """Region 56: A with 3 critical rows (one with an overdue measure), B with 1 high row.
    Region 47: C with 2 medium rows. Plus 6 more enterprises in region 56 without rows, so that
    the federal section lists only the five of most concern."""
    a = WorkplaceFactory(department__enterprise=enterprise_a)
    rows = [HazardFactory(workplace=a, risk_level=5) for _ in range(3)]
    ControlMeasureFactory(
        hazard=rows[0], due_date=timezone.localdate().replace(day=1) - timezone.timedelta(days=2)
    )
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=enterprise_b), risk_level=4)
    c = WorkplaceFactory(department__enterprise=enterprise_c)
    HazardFactory(workplace=c, risk_level=3)
    HazardFactory(workplace=c, risk_level=3)
    for n in range(6):
        EnterpriseFactory(region=region_a, short_name=f"ООО «Тихое предприятие {n}»")


def render(kind, scope, language="ru"):
    period = pdf.period_of(first_of_month(timezone.localdate()))
    report, _ = services.report_request(type=kind, scope=scope, period=period, language=language)
    report = services.report_render(report=report)
    assert report.status == ReportStatus.READY
    with report.file.open("rb") as source:
        return flat(pdf_text(source.read())), period


def test_the_federal_summary_has_a_section_per_region_with_its_figures(country, enterprise_a, queued_renders):
    text, period = render(ReportType.FEDERAL, None)
    assert "Сводный отчёт по пилотному проекту" in text and "Российская Федерация" in text
    assert f"{period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}" in text
    # The regions' table: 56 has 8 enterprises and 4 rows, 4 of them high or critical; 47 has 1 and 2.
    assert "56 · Оренбургская область 8" in text
    assert "47 · Ленинградская область 1" in text
    # One section per region, its enterprises of most concern first, at most five.
    assert "56 · Оренбургская область — предприятий: 8" in text
    assert "47 · Ленинградская область — предприятий: 1" in text
    section = text[text.index("56 · Оренбургская область — предприятий") :]
    assert section.index("ООО «Соль-Илецк» 3 1") < section.index("АО «Оренбургнефть-Сервис» 1 0")
    assert "… и ещё 3: см. сводный отчёт по региону" in section
    assert "Все регионы 9" in text


def test_the_regional_summary_has_a_section_per_enterprise(country, region_a, queued_renders):
    text, _period = render(ReportType.REGION, region_a)
    assert "Оренбургская область" in text and "По предприятиям" in text
    assert "ООО «Соль-Илецк»" in text and "Тихое предприятие 5" in text
    assert "ООО «Кировский завод»" not in text  # another region's enterprise


def test_an_english_federal_summary(country, queued_renders):
    text, _period = render(ReportType.FEDERAL, None, language="en")
    assert "Federal summary" in text and "By region" in text and "Orenburg Region" in text


@pytest.fixture
def queued_renders(monkeypatch):
    from reports.tasks import render_report

    ids = []
    monkeypatch.setattr(render_report, "delay_on_commit", lambda report_id: ids.append(report_id))
    return ids


@pytest.mark.parametrize(
    ("persona", "name", "args", "status"),
    [
        ("reviewer_region", "reports:region_report_new", ["56"], 200),
        ("reviewer_region", "reports:region_report_new", ["47"], 404),
        ("reviewer_region", "reports:federal_report_new", [], 404),
        ("federal", "reports:federal_report_new", [], 200),
        ("manager_a", "reports:region_report_new", ["56"], 404),
    ],
)
def test_who_may_order_a_summary(client, request, country, persona, name, args, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(name, *args)).status_code == status


def test_ordering_the_federal_summary_from_its_dashboard(client, federal, country, queued_renders):
    client.force_login(federal)
    dashboard = client.get(url("dashboards:federal")).content.decode()
    assert url("reports:federal_report_new") in dashboard
    month = first_of_month(timezone.localdate()).strftime("%Y-%m")
    response = client.post(url("reports:federal_report_new"), with_key({"month": month, "language": "ru"}))
    report = Report.objects.get()
    assert response["Location"] == url("reports:report_detail", report.pk)
    assert (report.type, report.scope_key, report.requested_by) == ("federal", "federal", federal)
    assert queued_renders == [report.pk]
