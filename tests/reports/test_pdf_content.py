"""The PDF progress report: what an official reads in it, checked in the PDF itself (text extracted
with pypdf, page 1 rasterised with pdftoppm), and what WeasyPrint may fetch while rendering it."""

import datetime
import io
import re
import subprocess

import pytest
from django.utils import dateformat, timezone, translation
from pypdf import PdfReader

from assessments.models import IncidentKind, IncidentVictim, MeasureStatus, VictimOutcome
from dashboards.rollups import add_months, first_of_month
from enterprises.models import Role
from hazards.models import HazardStatus
from reports import pdf, services
from reports.models import Report, ReportStatus, ReportType
from reports.tasks import render_report
from tests.factories import (
    ControlMeasureFactory,
    HazardFactory,
    IncidentFactory,
    UserFactory,
    WorkplaceFactory,
)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Extracted text with runs of white space made one space (table cells wrap anywhere)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def this_month():
    return first_of_month(timezone.localdate())


@pytest.fixture
def small_register(enterprise_a, enterprise_b, this_month):
    """Enterprise A this month: 2 critical rows and 1 high (plus 1 medium), 3 near misses and 1
    accident this month, 1 near miss last month; 2 open measures overdue, 1 done this month.
    Workplace 3 has no hazards, workplace 4 a row not rated."""
    enterprise_a.full_name = "Общество с ограниченной ответственностью «Соль-Илецкий солерудник»"
    enterprise_a.save()
    w1 = WorkplaceFactory(department__enterprise=enterprise_a, number="1")
    w2 = WorkplaceFactory(department__enterprise=enterprise_a, number="2")
    WorkplaceFactory(department__enterprise=enterprise_a, number="3", position="Стропальщик")
    w4 = WorkplaceFactory(department__enterprise=enterprise_a, number="4", position="Дробильщик")
    critical = [HazardFactory(workplace=w1, risk_level=5, source=f"Комбайн ПК-{n}") for n in (1, 2)]
    high = HazardFactory(workplace=w2, risk_level=4, source="Вагонетка")
    HazardFactory(workplace=w2, risk_level=3)
    HazardFactory(workplace=w4)  # not rated
    HazardFactory(workplace=w1, risk_level=5, status=HazardStatus.ELIMINATED)  # not counted
    today = timezone.localdate()
    ControlMeasureFactory(
        hazard=critical[0],
        description="Установить датчик метана",
        due_date=today - datetime.timedelta(days=3),
        responsible="Иванов И. И.",
    )
    ControlMeasureFactory(
        hazard=critical[1],
        description="Заменить ограждение",
        due_date=today - datetime.timedelta(days=1),
        responsible="Петров П. П.",
    )
    ControlMeasureFactory(
        hazard=high,
        status=MeasureStatus.DONE,
        due_date=today,
        done_on=today,
        description="Обучить машинистов",
    )
    now = timezone.now()
    for _ in range(3):
        IncidentFactory(workplace=w1, kind=IncidentKind.NEAR_MISS, occurred_at=now).hazards.add(critical[0])
    accident = IncidentFactory(workplace=w2, kind=IncidentKind.ACCIDENT, occurred_at=now)
    accident.victims.all().delete()
    IncidentVictim.objects.create(incident=accident, outcome=VictimOutcome.LIGHT, days_lost=4)
    last_month = timezone.make_aware(
        datetime.datetime.combine(add_months(this_month, -1).replace(day=15), datetime.time(12))
    )
    IncidentFactory(workplace=w1, kind=IncidentKind.NEAR_MISS, occurred_at=last_month)
    # Another enterprise's rows never appear in A's report.
    HazardFactory(
        workplace=WorkplaceFactory(department__enterprise=enterprise_b), risk_level=5, source="Чужой пресс"
    )
    UserFactory(
        username="boss",
        role=Role.MANAGER,
        enterprise=enterprise_a,
        first_name="Анна",
        last_name="Кузнецова",
        position="Директор",
    )
    return enterprise_a


@pytest.fixture(autouse=True)
def reports_in_tmp(tmp_path, monkeypatch):
    """Rendered files go to a throw-away folder, not to the checkout's private storage."""
    from django.core.files.storage import FileSystemStorage

    monkeypatch.setattr(Report._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))


@pytest.fixture
def queued(monkeypatch):
    """Task ids queued on commit (no broker in these tests; each test runs the task itself)."""
    ids = []
    monkeypatch.setattr(render_report, "delay_on_commit", lambda report_id: ids.append(report_id))
    return ids


def render(enterprise, period, language="ru"):
    report, _ = services.report_request(
        type=ReportType.ENTERPRISE, scope=enterprise, period=period, language=language
    )
    report = services.report_render(report=report)
    with report.file.open("rb") as source:
        return report, source.read()


pytestmark = pytest.mark.django_db


def test_enterprise_report_shows_the_enterprise_period_and_figures(small_register, this_month, queued):
    period = pdf.period_of(this_month)
    report, content = render(small_register, period)
    assert report.status == ReportStatus.READY
    assert content.startswith(b"%PDF-")
    assert report.size == len(content) and report.pages == len(PdfReader(io.BytesIO(content)).pages)
    text = flat(pdf_text(content))
    assert "ООО «Соль-Илецк»" in text
    assert "Соль-Илецкий солерудник" in text
    assert "Оренбургская область" in text
    with translation.override("ru"):
        month = dateformat.format(this_month, "F Y")
        previous = dateformat.format(add_months(this_month, -1), "F Y")
    assert f"{month} ({this_month:%d.%m.%Y} – {period.end:%d.%m.%Y})" in text
    # The register now: 2 critical, 1 high, 1 medium, 1 not rated; 3 measures, 1 done, 2 overdue.
    assert "Критический 2 Высокий 1 Средний 1" in text
    assert "3 / 1 / 2" in text
    assert "2 / 4 (50 %)" in text  # workplaces 1 and 2 assessed; 3 has no rows, 4 one unrated row
    # Near misses this month 3, last month 1: change +2; one accident with 4 days lost.
    assert f"{month} {previous}" in text
    assert "Потенциально опасные происшествия 3 1 +2" in text
    assert "Дней нетрудоспособности 4 0 +4" in text
    # Top risks with their measures and responsible persons; overdue measures; linked hazards.
    assert "Комбайн ПК-1" in text and "Установить датчик метана — Иванов И. И." in text
    assert "Заменить ограждение" in text and "Петров П. П." in text
    assert "Дробильщик" in text and "Стропальщик" in text  # workplaces not yet assessed
    assert "Кузнецова" in text  # the signature block names the enterprise manager
    assert re.search(
        r"подпись\s+(\S+\s+){0,4}расшифровка подписи\s+(\S+\s+){0,3}дата", text
    )  # a person, not a company
    assert "полное наименование" not in text
    assert "Чужой пресс" not in text  # another enterprise's register
    assert re.search(rf"(Page|Страница) 1 (of|из) {report.pages}", text)


def test_english_report_is_in_english(small_register, this_month, queued):
    _report, content = render(small_register, pdf.period_of(this_month), language="en")
    text = flat(pdf_text(content))
    assert "Progress report" in text
    assert "Critical 2 High 1 Medium 1" in text
    assert dateformat.format(this_month, "F Y") in text or this_month.strftime("%B %Y") in text


def test_first_page_is_a4(small_register, this_month, queued, tmp_path):
    _report, content = render(small_register, pdf.period_of(this_month))
    source = tmp_path / "report.pdf"
    source.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("page*.png")
    from PIL import Image

    with Image.open(page) as image:
        width, height = image.size
    # A4 is 210 × 297 mm: at 50 dpi 413 × 585 pixels.
    assert abs(width - 413) <= 2 and abs(height - 585) <= 2
    assert abs(height / width - 297 / 210) < 0.01


def test_a_quarter_report_covers_three_months(small_register, this_month, queued):
    period = pdf.period_of(this_month, quarter=True)
    _report, content = render(small_register, period)
    text = flat(pdf_text(content))
    quarter = (this_month.month - 1) // 3 + 1
    assert f"{period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}" in text
    assert str(quarter) in text and str(this_month.year) in text


def test_long_lists_are_capped_with_a_pointer_to_the_register(enterprise_a, this_month, queued, monkeypatch):
    monkeypatch.setattr(pdf, "LIST_LIMIT", 3)
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    for number in range(5):
        HazardFactory(workplace=workplace, risk_level=5, source=f"Источник {number}")
    _report, content = render(enterprise_a, pdf.period_of(this_month), language="en")
    text = flat(pdf_text(content))
    assert "and 2 more, see the register" in text
    assert "Источник 2" in text and "Источник 3" not in text


# --- What WeasyPrint may fetch --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "http://127.0.0.1/",
        "https://example.com/logo.png",
        "ftp://127.0.0.1/x",
    ],
)
def test_fetcher_refuses_other_files_and_the_network(url):
    with pytest.raises(ValueError):
        pdf.StaticOnlyFetcher().fetch(url)


def test_fetcher_refuses_a_path_that_climbs_out_of_the_static_folder():
    css = pdf.static_file_url("css/riskpilot.css")
    with pytest.raises(ValueError):
        pdf.StaticOnlyFetcher().fetch(css.replace("css/riskpilot.css", "../../../etc/passwd"))


def test_fetcher_serves_our_static_files():
    response = pdf.StaticOnlyFetcher().fetch(pdf.static_file_url("css/riskpilot.css"))
    assert response.content_type == "text/css"
    assert b".risk-1" in response.read()


def test_user_text_is_escaped_and_nothing_is_fetched(enterprise_a, this_month, queued, monkeypatch):
    fetched = []
    original = pdf.StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.StaticOnlyFetcher, "fetch", spy)
    workplace = WorkplaceFactory(department__enterprise=enterprise_a)
    HazardFactory(
        workplace=workplace,
        risk_level=5,
        source='<img src="file:///etc/passwd"><img src="http://127.0.0.1/x.png">Пресс',
    )
    report, _ = services.report_request(
        type=ReportType.ENTERPRISE, scope=enterprise_a, period=pdf.period_of(this_month), language="ru"
    )
    html = pdf.report_html(report)
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert '<img src="file:///etc/passwd">' not in html
    _report, content = render(enterprise_a, pdf.period_of(this_month))
    # Shown as text (the narrow cell wraps it anywhere, so compare without white space).
    assert '<imgsrc="file:///etc/passwd">' in re.sub(r"\s+", "", pdf_text(content))
    assert fetched == []
    assert b"root:" not in content


def test_an_unescaped_image_is_not_fetched_either():
    """Even if user text ever reached the HTML unescaped, WeasyPrint could not read the file."""
    rendered = pdf.html_to_pdf(
        '<html><body><p>x</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"></body></html>'
    )
    assert rendered.pages == 1
    assert b"root:" not in rendered.content


def test_page_margin_texts_cannot_break_out_of_the_css_string():
    text = str(pdf.css_string('a"; } body { display: none } </style><script>'))
    assert text.startswith('"') and text.endswith('"')
    assert '"' not in text[1:-1] and "<" not in text and "}" not in text


def test_parse_period():
    assert pdf.parse_period("2026-10") == pdf.ReportPeriod(
        datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)
    )
    assert pdf.parse_period("2026-11", quarter=True) == pdf.ReportPeriod(
        datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)
    )
    assert pdf.parse_period("2026-q1").end == datetime.date(2026, 3, 31)
    assert pdf.parse_period("2026-02").previous() == pdf.ReportPeriod(
        datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)
    )
    for bad in ("2026-13", "2026-Q5", "октябрь", ""):
        with pytest.raises(ValueError):
            pdf.parse_period(bad)
