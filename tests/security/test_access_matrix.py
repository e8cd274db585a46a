"""Every URL of the project, requested by every persona, with objects of enterprises A and B.

The URL patterns are enumerated from the URLconf, so a view added tomorrow fails this test until
its row is declared in ACCESS below — the one table of who may read and who may write what."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Patterns left out of the matrix, each with the reason. (Static files need no entry: WhiteNoise
# serves them from its middleware, and the URLconf has no pattern for them.)
SKIPPED_NAMESPACES = {
    # Django's admin has its own permission system (is_staff + model permissions), tested by Django.
    "admin": "Django admin",
}
SKIPPED_NAMES = {
    # Switches the interface language; it reads and writes no data.
    "set_language": "language switch",
    # The load balancers' health check is public by design and touches no data.
    "healthz": "health check",
    # Monitoring's counters: public by design, numbers only (tests/test_health.py checks that).
    "health": "health counters",
    # django-ninja's marker of the API's root, used to build its paths: always 404, no data.
    "api:api-root": "API root marker",
}

# --- Who may do what ----------------------------------------------------------------------------
# Levels of access of one HTTP method of one view.
PUBLIC = "public"  # everyone, signed in or not
OPEN = "open"  # every signed-in user (pages without objects, or with their own scoping)
READ = "read"  # who sees the object; 404 for every other signed-in user
WRITE = "write"  # who sees it and may write; 403 for read-only roles who see it; 404 for others
APPROVE = "approve"  # managers and admins who see it; 403 for others who see it; 404 for the rest
FEDERAL = "federal"  # federal reviewers and admins; 404 for everyone else
# Workers' personal data (names): the officers and managers of the object's enterprise read and
# write; every other signed-in user gets 404, reviewers and administrators included, so that an id
# never tells whether a worker exists (REFERENCE §8).
PERSONAL = "personal"
# Managers, reviewers and admins (who subscribe people to reports); 403 for safety officers
# (who see the object, if it names one); 404 for those who do not see it.
SUBSCRIBE = "subscribe"
# The members with an account of the commission a round was sent to; 403 for others who see it.
MEMBER = "member"
NOT_ALLOWED = "405"  # the method is refused (405) for every signed-in user
CREATE = "create"  # writers (who then need a valid body); 403 for read-only roles
REFUSED = "refused"  # the method is refused (405) for everyone, signed in or not
STAFF = "staff"  # the enterprise's own officers and managers; 403 for others who see it
OWN = "own"  # the object's owner only (a user's own API token); 404 for everyone else


@dataclass(frozen=True)
class Access:
    get: str
    post: str
    pk: str | None = None  # the kind of object ``pk`` names in this URL
    put: str = REFUSED  # the API's updates (the pages use POST only)


# Kinds of object named by every other URL keyword; ``pk`` is declared per URL.
KWARG_KINDS = {"enterprise_pk": "enterprise", "workplace_pk": "workplace", "code": "region"}

ACCESS = {
    "home": Access(OPEN, OPEN),
    "login": Access(PUBLIC, PUBLIC),
    "logout": Access(REFUSED, PUBLIC),
    "enterprises:structure": Access(READ, READ),
    # Everyone's own settings: the page only ever shows and changes the signed-in user.
    "enterprises:preferences": Access(OPEN, OPEN),
    # The ОКПДТР classifier's matches for the workplace form: public reference data.
    "enterprises:okpdtr_options": Access(OPEN, NOT_ALLOWED),
    "hazards:add": Access(WRITE, WRITE),
    "hazards:edit": Access(WRITE, WRITE, pk="hazard"),
    "hazards:set_status": Access(NOT_ALLOWED, WRITE, pk="hazard"),
    "hazards:catalogue_search": Access(OPEN, NOT_ALLOWED),
    "hazards:model_measures": Access(OPEN, NOT_ALLOWED),
    "hazards:own_add": Access(WRITE, WRITE),
    "assessments:overview": Access(READ, NOT_ALLOWED),
    "assessments:register": Access(READ, NOT_ALLOWED),
    "assessments:import": Access(WRITE, WRITE),
    "assessments:import_status": Access(WRITE, NOT_ALLOWED, pk="register_import"),
    "assessments:import_confirm": Access(NOT_ALLOWED, WRITE, pk="register_import"),
    "assessments:import_template": Access(READ, NOT_ALLOWED),
    "assessments:workplace": Access(READ, NOT_ALLOWED, pk="workplace"),
    "assessments:unit_add": Access(WRITE, WRITE),
    "assessments:unit_edit": Access(WRITE, WRITE, pk="department"),
    "assessments:unit_archive": Access(WRITE, WRITE, pk="department"),
    "assessments:workplace_add": Access(WRITE, WRITE),
    "assessments:workplace_edit": Access(WRITE, WRITE, pk="workplace"),
    "assessments:workplace_archive": Access(WRITE, WRITE, pk="workplace"),
    "assessments:hazard": Access(READ, READ, pk="hazard"),
    "assessments:assess": Access(WRITE, WRITE, pk="hazard"),
    "assessments:assessment_approve": Access(NOT_ALLOWED, APPROVE, pk="assessment"),
    "assessments:assessment_return": Access(APPROVE, APPROVE, pk="assessment"),
    # Everyone who sees the enterprise may read its approval queue; managers and admins decide.
    "assessments:approvals": Access(READ, NOT_ALLOWED),
    "assessments:approvals_approve": Access(NOT_ALLOWED, APPROVE),
    "assessments:measure_add": Access(WRITE, WRITE, pk="hazard"),
    "assessments:measure_complete": Access(WRITE, WRITE, pk="measure"),
    "assessments:measure_edit": Access(WRITE, WRITE, pk="measure"),
    "assessments:measure_start": Access(NOT_ALLOWED, WRITE, pk="measure"),
    "assessments:measure_cancel": Access(WRITE, WRITE, pk="measure"),
    # Everyone's own list: it only ever shows measures assigned to the signed-in user.
    "assessments:my_tasks": Access(OPEN, NOT_ALLOWED),
    "assessments:evidence": Access(READ, NOT_ALLOWED, pk="evidence"),
    "assessments:incidents": Access(READ, READ),
    "assessments:incident_add": Access(WRITE, WRITE),
    # Cancelled incidents too: their page shows who cancelled them and why.
    "assessments:incident": Access(READ, NOT_ALLOWED, pk="incident"),
    "assessments:incident_edit": Access(WRITE, WRITE, pk="incident"),
    "assessments:incident_cancel": Access(WRITE, WRITE, pk="incident"),
    "assessments:hazard_copy": Access(WRITE, WRITE),
    "assessments:review_start": Access(WRITE, WRITE, pk="workplace"),
    "dashboards:federal": Access(FEDERAL, NOT_ALLOWED),
    "dashboards:federal_export": Access(FEDERAL, NOT_ALLOWED),
    # Everyone has a dashboard: officers and managers their enterprise's, reviewers their region's.
    "dashboards:dashboard": Access(OPEN, NOT_ALLOWED),
    # Recomputes cached figures only, for anyone with a dashboard; it changes no register data.
    "dashboards:refresh": Access(NOT_ALLOWED, OPEN),
    "dashboards:region": Access(READ, NOT_ALLOWED),
    "dashboards:region_export": Access(READ, NOT_ALLOWED),
    "dashboards:region_acknowledgement_sout": Access(READ, NOT_ALLOWED),
    "dashboards:enterprise": Access(READ, NOT_ALLOWED, pk="enterprise"),
    # Asking for a PDF report is reading: reviewers may order one of an enterprise they see.
    "reports:report_new": Access(READ, READ, pk="enterprise"),
    "reports:region_report_new": Access(READ, READ),
    "reports:federal_report_new": Access(FEDERAL, FEDERAL),
    "reports:report_list": Access(OPEN, NOT_ALLOWED),
    "reports:report_detail": Access(READ, NOT_ALLOWED, pk="report"),
    "reports:report_download": Access(READ, NOT_ALLOWED, pk="report"),
    # Officers see their enterprise's subscriptions; subscribing is for managers and reviewers.
    "reports:subscription_list": Access(OPEN, NOT_ALLOWED),
    "reports:subscription_new": Access(SUBSCRIBE, SUBSCRIBE),
    "reports:subscription_deactivate": Access(NOT_ALLOWED, SUBSCRIBE, pk="subscription"),
    # The commission and the sign-off of assessment rounds. The lists of what waits for the user
    # are scoped to the user's own rounds.
    "documents:commission_list": Access(READ, NOT_ALLOWED),
    "documents:commission_add": Access(WRITE, WRITE),
    "documents:commission_edit": Access(WRITE, WRITE, pk="commission"),
    "documents:round_list": Access(READ, NOT_ALLOWED),
    "documents:round_add": Access(WRITE, WRITE),
    "documents:round": Access(READ, NOT_ALLOWED, pk="assessment_round"),
    "documents:round_edit": Access(WRITE, WRITE, pk="assessment_round"),
    "documents:round_send": Access(NOT_ALLOWED, WRITE, pk="assessment_round"),
    "documents:round_sign": Access(MEMBER, MEMBER, pk="assessment_round"),
    "documents:round_paper": Access(WRITE, WRITE, pk="assessment_round"),
    "documents:round_approve": Access(NOT_ALLOWED, APPROVE, pk="assessment_round"),
    "documents:to_sign": Access(OPEN, NOT_ALLOWED),
    "documents:to_approve": Access(OPEN, NOT_ALLOWED),
    # Risk assessment cards: the page and the table for whoever sees the workplace; the PDFs list
    # the workers who acknowledged the card, so only the enterprise's own people get them.
    "documents:card": Access(READ, NOT_ALLOWED),
    "documents:card_issue": Access(NOT_ALLOWED, WRITE),
    "documents:card_pdf": Access(PERSONAL, NOT_ALLOWED, pk="card"),
    "documents:card_xlsx": Access(READ, NOT_ALLOWED, pk="card"),
    "documents:cards": Access(READ, NOT_ALLOWED),
    "documents:bundle_new": Access(PERSONAL, PERSONAL),
    "documents:bundle": Access(PERSONAL, NOT_ALLOWED, pk="card_bundle"),
    "documents:bundle_pdf": Access(PERSONAL, NOT_ALLOWED, pk="card_bundle"),
    # The action plan names measures and responsible persons, no workers: reviewers read it.
    "documents:plans": Access(READ, NOT_ALLOWED),
    "documents:plan_new": Access(WRITE, WRITE),
    "documents:plan": Access(READ, NOT_ALLOWED, pk="action_plan"),
    "documents:plan_approve": Access(NOT_ALLOWED, APPROVE, pk="action_plan"),
    "documents:plan_pdf": Access(READ, NOT_ALLOWED, pk="action_plan"),
    "documents:plan_xlsx": Access(READ, NOT_ALLOWED, pk="action_plan"),
    # Workers and their acknowledgement of the card: personal data.
    "enterprises:workers": Access(PERSONAL, NOT_ALLOWED),
    "enterprises:worker_add": Access(PERSONAL, PERSONAL),
    "enterprises:worker_edit": Access(PERSONAL, PERSONAL, pk="worker"),
    "enterprises:worker_end": Access(PERSONAL, PERSONAL, pk="worker"),
    "enterprises:workers_import": Access(PERSONAL, PERSONAL),
    "enterprises:workers_template": Access(PERSONAL, NOT_ALLOWED),
    "enterprises:workers_export": Access(PERSONAL, NOT_ALLOWED),
    # The head-count taken from the list changes the workplace, not a worker: a write.
    "enterprises:headcount_from_workers": Access(NOT_ALLOWED, WRITE),
    "enterprises:sout_edit": Access(WRITE, WRITE),
    "enterprises:sout_import": Access(WRITE, WRITE),
    # The SOUT sheet holds no personal data: whoever sees the enterprise may have it.
    "enterprises:sout_sheet": Access(READ, NOT_ALLOWED),
    "documents:acknowledgements": Access(PERSONAL, PERSONAL, pk="card"),
    "documents:acknowledgement_sheet": Access(PERSONAL, NOT_ALLOWED, pk="card"),
    "documents:acknowledgement_sheet_status": Access(PERSONAL, PERSONAL, pk="card"),
    "documents:acknowledgement_scan": Access(PERSONAL, NOT_ALLOWED, pk="acknowledgement"),
    "documents:kiosk_open": Access(NOT_ALLOWED, PERSONAL, pk="card"),
    "documents:kiosk": Access(PERSONAL, PERSONAL, pk="card"),
    "documents:kiosk_close": Access(PERSONAL, PERSONAL, pk="card"),
    # A user's own API tokens (the list shows only theirs).
    "api_tokens:list": Access(OPEN, OPEN),
    "api_tokens:revoke": Access(NOT_ALLOWED, OWN, pk="api_token"),
    # --- The HTTP API (/api/v1/): 401 instead of the login page, problem+json errors. ---
    # The schema and its documentation hold no data.
    "api:openapi-json": Access(PUBLIC, REFUSED),
    "api:openapi-view": Access(PUBLIC, REFUSED),
    # Regions are reference data, the same for everyone signed in.
    "api:regions": Access(OPEN, REFUSED),
    "api:region": Access(OPEN, REFUSED),
    "api:enterprises": Access(OPEN, REFUSED),
    "api:enterprise": Access(READ, REFUSED, pk="enterprise"),
    # Lists scope themselves; creating names its workplace in the body (403 for read-only roles).
    "api:hazards": Access(OPEN, CREATE),
    "api:hazards_bulk": Access(REFUSED, CREATE),
    "api:hazard": Access(READ, REFUSED, pk="hazard", put=WRITE),
    "api:hazard_status": Access(REFUSED, WRITE, pk="hazard"),
    # Without a scope: the caller's own (a region or an enterprise is checked like the dashboards).
    "api:figures": Access(OPEN, REFUSED),
    "api:units": Access(OPEN, REFUSED),
    "api:unit": Access(READ, REFUSED, pk="department"),
    "api:workplaces": Access(OPEN, REFUSED),
    "api:workplace": Access(READ, REFUSED, pk="workplace"),
    # Workers' names are personal data: the enterprise's own officers and managers only.
    "api:workers": Access(STAFF, REFUSED, pk="workplace"),
    "api:assessments": Access(OPEN, CREATE),
    "api:assessment": Access(READ, REFUSED, pk="assessment"),
    "api:measures": Access(OPEN, CREATE),
    "api:measure": Access(READ, REFUSED, pk="measure", put=WRITE),
    "api:measure_start": Access(REFUSED, WRITE, pk="measure"),
    "api:measure_cancel": Access(REFUSED, WRITE, pk="measure"),
    "api:measure_complete": Access(REFUSED, WRITE, pk="measure"),
    "api:evidence_file": Access(READ, REFUSED, pk="evidence"),
    "api:incidents": Access(OPEN, CREATE),
    "api:incident": Access(READ, REFUSED, pk="incident", put=WRITE),
    "api:incident_cancel": Access(REFUSED, WRITE, pk="incident"),
    # Ordering a report is reading, as on the pages; the scope named in the body is checked.
    "api:reports": Access(OPEN, OPEN),
    "api:report": Access(READ, REFUSED, pk="report"),
    "api:report_file": Access(READ, REFUSED, pk="report"),
    "api:catalogue_groups": Access(OPEN, REFUSED),
    "api:catalogue_hazards": Access(OPEN, REFUSED),
    "api:catalogue_events": Access(OPEN, REFUSED),
    "api:catalogue_model_measures": Access(OPEN, REFUSED),
}

PERSONAS = [
    "anonymous",
    "officer_a",
    "officer_b",
    "manager_a",
    "reviewer_region",
    "reviewer_other_region",
    "federal",
    "admin_user",
]
# Declared here rather than asked of enterprises.access, so the matrix checks that module.
SEES_ENTERPRISE = {
    "A": {"officer_a", "manager_a", "reviewer_region", "federal", "admin_user"},
    "B": {"officer_b", "reviewer_region", "federal", "admin_user"},
}
SEES_REGION = {
    "A": {"reviewer_region", "federal", "admin_user"},
    "B": {"reviewer_other_region", "federal", "admin_user"},
}
WRITERS = {"officer_a", "officer_b", "manager_a", "admin_user"}
APPROVERS = {"manager_a", "admin_user"}
SEES_EVERYTHING = {"federal", "admin_user"}
# The world's rounds are sent to commissions whose only member with an account is the officer.
MEMBERS = {"A": {"officer_a"}, "B": {"officer_b"}}
ENTERPRISE_STAFF = {"A": {"officer_a", "manager_a"}, "B": {"officer_b"}}  # officers and managers of each
OWNERS = {"A": "officer_a", "B": "officer_b"}  # whose the world's own objects (API tokens) are
SUBSCRIBERS = {"manager_a", "reviewer_region", "reviewer_other_region", "federal", "admin_user"}
SEES_NAMES = {"A": {"officer_a", "manager_a"}, "B": {"officer_b"}}


# --- The URLconf, walked ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.regex.groupindex)


def walk(patterns=None, namespace: str = "", kwargs: tuple = ()) -> list[Route]:
    """Every named view of the URLconf, through includes and i18n_patterns, with its keywords."""
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        names = (*kwargs, *_kwarg_names(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            if inner in SKIPPED_NAMESPACES:
                continue
            prefix = f"{namespace}{inner}:" if inner else namespace
            routes += walk(entry.url_patterns, prefix, names)
        elif isinstance(entry, URLPattern):
            # An unnamed view could not be reversed, declared or kept in sight: refuse it.
            assert entry.name, f"URL pattern {entry.pattern} has no name"
            if (entry.name in SKIPPED_NAMES and not namespace) or f"{namespace}{entry.name}" in SKIPPED_NAMES:
                continue
            route = Route(f"{namespace}{entry.name}", tuple(names))
            # django-ninja adds one pattern per operation of a path, all resolving to its first.
            if route not in routes:
                routes.append(route)
    return routes


ROUTES = walk()


def test_every_url_is_declared_in_the_access_table():
    names = {route.name for route in ROUTES}
    assert sorted(names - ACCESS.keys()) == [], "views missing from ACCESS"
    assert sorted(ACCESS.keys() - names) == [], "ACCESS rows for views that no longer exist"


def test_every_url_keyword_names_a_known_kind_of_object():
    for route in ROUTES:
        for kwarg in route.kwargs:
            known = ACCESS[route.name].pk if kwarg == "pk" else KWARG_KINDS.get(kwarg)
            assert known, f"{route.name}: no kind of object declared for <{kwarg}>"


# --- Expectations -------------------------------------------------------------------------------


def expected(level: str, persona: str, owner: str | None, scope: str) -> str:
    """'ok', 'login', '403', '404' or '405' for one persona."""
    if level == PUBLIC:
        return "ok"
    if level == REFUSED:
        return "405"
    if persona == "anonymous":
        return "login"
    if level == NOT_ALLOWED:
        return "405"
    if level == OPEN:
        return "ok"
    if level == CREATE:
        return "ok" if persona in WRITERS else "403"
    if level == OWN:
        return "ok" if persona == OWNERS[owner] else "404"
    if level == STAFF and persona not in SEES_ENTERPRISE[owner]:
        return "404"
    if level == STAFF:
        return "ok" if persona in ENTERPRISE_STAFF[owner] else "403"
    if level == FEDERAL:
        return "ok" if persona in SEES_EVERYTHING else "404"
    if level == PERSONAL:
        return "ok" if persona in SEES_NAMES[owner] else "404"
    if level == SUBSCRIBE and owner is None:
        return "ok" if persona in SUBSCRIBERS else "403"
    sees = (SEES_REGION if scope == "region" else SEES_ENTERPRISE)[owner]
    if persona not in sees:
        return "404"
    if level == READ:
        return "ok"
    allowed = {WRITE: WRITERS, APPROVE: APPROVERS, SUBSCRIBE: SUBSCRIBERS, MEMBER: MEMBERS[owner]}[level]
    return "ok" if persona in allowed else "403"


def is_api(route) -> bool:
    return route.name.startswith("api:")


def outcome(response) -> str:
    if response.status_code == 401:
        # The API answers 401 where the pages send to the login page.
        return "login"
    if response.status_code == 302:
        login = reverse(settings.LOGIN_URL)
        return "login" if response["Location"].startswith(login) else "redirect"
    return str(response.status_code)


def matches(want: str, got: str, level: str, api: bool = False) -> bool:
    if want == "ok" and api:
        # Past the access checks the API refuses an empty body (422) or a missing If-Match (428).
        return got in ("200", "201", "422", "428")
    if want == "ok":
        # The logout and login pages send signed-in users on, to the login page among others.
        return got in ("200", "redirect") or (level == PUBLIC and got == "login")
    return want == got


def urls_for(route: Route, worlds: dict) -> list[tuple[str | None, str, str]]:
    """(owner, scope, url) for each enterprise whose objects the route can name."""
    if not route.kwargs:
        return [(None, "none", reverse(route.name))]
    access = ACCESS[route.name]
    kinds = {kw: access.pk if kw == "pk" else KWARG_KINDS[kw] for kw in route.kwargs}
    scope = "region" if "region" in kinds.values() else "enterprise"
    built = []
    for owner, world in worlds.items():
        values = {
            kw: getattr(world, kind).code if kind == "region" else getattr(world, kind).pk
            for kw, kind in kinds.items()
        }
        built.append((owner, scope, reverse(route.name, kwargs=values)))
    return built


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_matrix(persona, request, world_a, world_b):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    worlds = {"A": world_a, "B": world_b}
    wrong = []
    # Views missing from ACCESS fail test_every_url_is_declared_in_the_access_table.
    for route in (route for route in ROUTES if route.name in ACCESS):
        access = ACCESS[route.name]
        for owner, scope, url in urls_for(route, worlds):
            methods = [("GET", access.get), ("POST", access.post)]
            if is_api(route):
                methods.append(("PUT", access.put))
            for method, level in methods:
                # A fresh client each time: a view may keep state in the session (the worker
                # kiosk, once opened, holds its session to itself).
                client = Client()
                if user is not None:
                    # Signing in every time: the logout view ends the session.
                    client.force_login(user)
                if method == "GET":
                    response = client.get(url)
                elif is_api(route):
                    # The API reads JSON: an empty object, refused (422) once access is granted.
                    response = client.generic(method, url, "{}", content_type="application/json")
                else:
                    response = client.post(url, {})
                got = outcome(response)
                if response.streaming:
                    # Read to the end, which closes the file the way the test client expects
                    # (closing it by hand would also close the test's database connection).
                    b"".join(response.streaming_content)
                want = expected(level, persona, owner, scope)
                if not matches(want, got, level, is_api(route)):
                    wrong.append(f"{method} {url} ({route.name}, {owner or '-'}): want {want}, got {got}")
    assert not wrong, "\n".join(wrong)
