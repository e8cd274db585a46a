"""Every main page, as each role, at a laptop (1366×768), a tablet (768×1024) and a phone (390×844):
no page scrolls sideways. Wide tables scroll inside their own area; the page itself never does.
Screenshots of every page land in test-artifacts/layout/ for people to look at."""

from pathlib import Path

from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import translation

from assessments.demo import DEMO_USERS
from assessments.models import ControlMeasure, Incident
from documents.models import ActionPlan, AssessmentRound, RiskCard
from enterprises.models import Enterprise, Role, User, Workplace
from hazards.models import Hazard
from tests.factories import PASSWORD, HazardFactory, WorkplaceFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "layout"
VIEWPORTS = {"laptop": (1366, 768), "tablet": (768, 1024), "phone": (390, 844)}
ROLES = (Role.OFFICER, Role.MANAGER, Role.REGIONAL_REVIEWER, Role.FEDERAL_REVIEWER)


def enterprise_pages(enterprise: Enterprise) -> list[str]:
    """The pages of one enterprise's register, with the rows whose content is widest."""
    rows = Hazard.objects.active().filter(enterprise=enterprise)
    widest = list(
        rows.annotate(measures_count=Count("measures"), text=Length("source") + Length("existing_controls"))
        .order_by("-measures_count", "-text")
        .values_list("pk", flat=True)[:3]
    )
    workplace = (
        Workplace.objects.active()
        .filter(enterprise=enterprise)
        .annotate(rows=Count("hazards"))
        .order_by("-rows")
    ).first()
    pages = [
        reverse("assessments:overview", args=[enterprise.pk]),
        reverse("enterprises:structure", args=[enterprise.pk]),
        reverse("assessments:register", args=[enterprise.pk]),
        reverse("assessments:workplace", args=[workplace.pk]),
        reverse("assessments:incidents", args=[enterprise.pk]),
        reverse("dashboards:enterprise", args=[enterprise.pk]),
        *(reverse("assessments:hazard", args=[pk]) for pk in widest),
    ]
    incident = Incident.objects.filter(enterprise=enterprise).order_by("-occurred_at").first()
    if incident is not None:
        pages.append(reverse("assessments:incident", args=[incident.pk]))
    # The documents of the procedure.
    pages += [
        reverse("documents:card", args=[workplace.pk]),
        reverse("documents:cards", args=[enterprise.pk]),
        reverse("documents:plans", args=[enterprise.pk]),
        reverse("documents:round_list", args=[enterprise.pk]),
        reverse("documents:commission_list", args=[enterprise.pk]),
    ]
    plan = ActionPlan.objects.filter(enterprise=enterprise).order_by("-version").first()
    assessment_round = AssessmentRound.objects.filter(enterprise=enterprise).order_by("-pk").first()
    pages += [
        reverse("documents:plan", args=[plan.pk]),
        reverse("documents:round", args=[assessment_round.pk]),
    ]
    return pages


def officer_pages(enterprise: Enterprise) -> list[str]:
    """What only those who write see: the forms."""
    row = Hazard.objects.active().filter(enterprise=enterprise).order_by("pk").first()
    measure = ControlMeasure.objects.filter(hazard__enterprise=enterprise).order_by("pk").first()
    card = RiskCard.objects.current().filter(enterprise=enterprise).order_by("pk").first()
    return [
        reverse("assessments:approvals", args=[enterprise.pk]),
        reverse("assessments:my_tasks"),
        reverse("assessments:measure_edit", args=[measure.pk]),
        reverse("assessments:unit_add", args=[enterprise.pk]),
        reverse("assessments:workplace_add", args=[enterprise.pk]),
        reverse("assessments:workplace_edit", args=[row.workplace_id]),
        reverse("assessments:workplace_archive", args=[row.workplace_id]),
        reverse("enterprises:workers", args=[row.workplace_id]),
        reverse("enterprises:sout_edit", args=[row.workplace_id]),
        reverse("documents:acknowledgements", args=[card.pk]),
        reverse("documents:to_sign"),
        reverse("assessments:assess", args=[row.pk]),
        reverse("assessments:measure_add", args=[row.pk]),
        reverse("assessments:incident_add", args=[enterprise.pk]),
        reverse("assessments:import", args=[enterprise.pk]),
        reverse("hazards:add", args=[row.workplace_id]),
        reverse("assessments:hazard_copy", args=[row.workplace_id]),
        reverse("hazards:edit", args=[row.pk]),
        reverse("assessments:review_start", args=[row.workplace_id]),
        reverse("reports:report_new", args=[enterprise.pk]),
    ]


def pages_for(role: str, enterprise: Enterprise) -> list[str]:
    common = [
        reverse("home"),
        reverse("reports:report_list"),
        reverse("reports:subscription_list"),
        reverse("enterprises:preferences"),
    ]
    region = enterprise.region.code
    if role in (Role.OFFICER, Role.MANAGER):
        return common + enterprise_pages(enterprise) + officer_pages(enterprise)
    if role == Role.REGIONAL_REVIEWER:
        return [*common, reverse("dashboards:region", args=[region]), *enterprise_pages(enterprise)]
    return [
        *common,
        reverse("dashboards:federal"),
        reverse("dashboards:region", args=[region]),
        reverse("reports:federal_report_new"),
        *enterprise_pages(enterprise),
    ]


def test_no_page_scrolls_sideways_for_any_role_at_any_size(live_server, browser):
    call_command("seed_demo", verbosity=0)
    translation.activate("ru")
    officer = next(user for user in DEMO_USERS if user.role == Role.OFFICER)
    enterprise = User.objects.get(username=officer.username).enterprise
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    too_wide, failed = [], []
    visited = 0
    for role in ROLES:
        demo_user = next(user for user in DEMO_USERS if user.role == role)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ru-RU")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", demo_user.username)
        page.fill("input[name=password]", demo_user.password)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        for size, (width, height) in VIEWPORTS.items():
            page.set_viewport_size({"width": width, "height": height})
            for number, path in enumerate(pages_for(role, enterprise)):
                response = page.goto(live_server.url + path)
                visited += 1
                if response.status != 200:
                    failed.append(f"{role} {size} {path}: HTTP {response.status}")
                    continue
                scroll_width, inner_width = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth]"
                )
                name = f"{role}-{size}-{number:02d}"
                page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
                if scroll_width > inner_width:
                    too_wide.append(
                        f"{role} {size} {path}: {scroll_width} px in {inner_width} px ({name}.png)"
                    )
        context.close()
    assert visited > 100
    assert not failed, failed
    assert not too_wide, "pages that scroll sideways:\n" + "\n".join(too_wide)


def test_on_a_phone_the_live_score_stays_in_view_while_levels_are_chosen(live_server, browser, officer_a):
    hazard = HazardFactory(workplace=WorkplaceFactory(department__enterprise=officer_a.enterprise))
    translation.activate("ru")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("assessments:assess", args=[hazard.pk]))
    # Choose the first level of the last scale: far below the fold on a phone.
    page.locator("input[name=severity]").last.check()
    page.locator("input[name=probability]").last.check()
    page.wait_for_selector("#preview-score")
    box = page.locator("#score-card").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844
    assert page.locator("#preview-score").is_visible()
    context.close()


def test_on_a_laptop_the_register_table_shows_its_buttons_without_scrolling(live_server, browser):
    """The register list's table fits beside the filters at 1366 px: its last column (Open, Edit)
    is on screen, not behind the table's own scroll bar."""
    call_command("seed_demo", verbosity=0)
    officer = next(user for user in DEMO_USERS if user.role == Role.OFFICER)
    enterprise = User.objects.get(username=officer.username).enterprise
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ru-RU")
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", officer.password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    # Sorted by next review: the overdue rows first, with their widest badges.
    page.goto(live_server.url + reverse("assessments:register", args=[enterprise.pk]) + "?sort=next_review")
    scroll_width, client_width = page.evaluate(
        "(() => { const box = document.querySelector('#register-rows').parentElement;"
        " return [box.scrollWidth, box.clientWidth]; })()"
    )
    assert scroll_width <= client_width, f"the table needs {scroll_width} px in {client_width} px"
    assert page.locator("#register-rows .register-actions a").first.is_visible()
    context.close()
