"""RiskPilot under load (`make loadtest`): safety officers browse their register and save register
rows, regional and federal reviewers read their dashboards. The accounts and the objects each one
visits come from `manage.py loadtest_users` (LOADTEST_USERS, a JSON file)."""

import itertools
import json
import os
import random
import time
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, LoadTestShape, between, constant, events, task
from requests.cookies import RequestsCookieJar

PEOPLE = json.loads(Path(os.environ.get("LOADTEST_USERS", "var/loadtest-users.json")).read_text())
PASSWORD = PEOPLE["password"]
_officers = itertools.cycle(PEOPLE["officers"])
_regional = itertools.cycle(PEOPLE["regional"])

# Response times of the pages alone, without the sign-in (a deliberately slow password hash, once
# per person): run.py reports both. Written when Locust stops.
_page_times: list[float] = []


# The stepped run (LOADTEST_STEPS="1,2,4,…": users at each step, no think time): every page's
# time and outcome is kept with the step it fell in; run.py finds the saturation point from them.
STEPS = [int(users) for users in os.environ.get("LOADTEST_STEPS", "").split(",") if users]
STEP_SECONDS = int(os.environ.get("LOADTEST_STEP_SECONDS", "20"))
# The first seconds of a step are not counted: its new users sign in then (a slow hash each).
STEP_SETTLE_SECONDS = int(os.environ.get("LOADTEST_STEP_SETTLE_SECONDS", "5"))
_started = {"at": None}
_step_samples: list[tuple[int, float, bool]] = []


@events.test_start.add_listener
def _start_clock(**kwargs):
    _started["at"] = time.monotonic()


@events.request.add_listener
def _page_time(name, response_time, exception, **kwargs):
    if name in ("login page", "login"):
        return
    if exception is None:
        _page_times.append(response_time)
    if STEPS and _started["at"] is not None:
        elapsed = time.monotonic() - _started["at"]
        if elapsed % STEP_SECONDS >= STEP_SETTLE_SECONDS:
            _step_samples.append((int(elapsed // STEP_SECONDS), response_time, exception is not None))


@events.reset_stats.add_listener
def _forget_arrival(**kwargs):
    # Locust resets its statistics once every user has arrived; the page times follow.
    _page_times.clear()


@events.quitting.add_listener
def _save_page_times(**kwargs):
    if os.environ.get("LOADTEST_PAGE_TIMES"):
        Path(os.environ["LOADTEST_PAGE_TIMES"]).write_text(json.dumps(_page_times))
    if STEPS and os.environ.get("LOADTEST_STEP_SAMPLES"):
        Path(os.environ["LOADTEST_STEP_SAMPLES"]).write_text(
            json.dumps(
                {
                    "steps": STEPS,
                    "counted_seconds": STEP_SECONDS - STEP_SETTLE_SECONDS,
                    "samples": _step_samples,
                }
            )
        )


if STEPS:

    class Steps(LoadTestShape):
        """Users in steps (all of a step's new users at once), each step STEP_SECONDS long."""

        def tick(self):
            step = int(self.get_run_time() // STEP_SECONDS)
            if step >= len(STEPS):
                return None
            return STEPS[step], STEPS[step]


class FormValues(HTMLParser):
    """The values a browser would submit from the page's <form method="post"> fields."""

    def __init__(self):
        super().__init__()
        self.values, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.values[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(html: str) -> dict:
    parser = FormValues()
    parser.feed(html)
    return parser.values


class SecureCookiesOverHttp(RequestsCookieJar):
    """The server runs the production settings, whose session and CSRF cookies are Secure, on plain
    HTTP on loopback (TLS ends at the load balancer in production): keep sending them, as a browser
    does over HTTPS."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class SignedIn(HttpUser):
    abstract = True
    # A person reads a page before the next click: 2–8 s, so 50 users ask for about 10 pages a
    # second — a busy morning in a regional ministry, all at once. The stepped run has no think
    # time: each user asks for the next page as soon as it has the last one.
    wait_time = constant(0) if STEPS else between(2, 8)

    def sign_in(self, username):
        self.client.cookies = SecureCookiesOverHttp()
        page = self.client.get("/accounts/login/", name="login page")
        token = form_values(page.text)["csrfmiddlewaretoken"]
        response = self.client.post(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
        )
        if "/accounts/login/" in response.url:
            raise RuntimeError(f"{username} could not sign in")


class Officer(SignedIn):
    """Three in four users: a safety officer working in the register."""

    weight = 6

    def on_start(self):
        self.me = next(_officers)
        self.sign_in(self.me["username"])

    @task(3)
    def overview(self):
        self.client.get(f"/assessments/enterprise/{self.me['enterprise']}/", name="register overview")

    @task(3)
    def register_list(self):
        level = random.choice(["", "4", "5"])
        self.client.get(
            f"/assessments/enterprise/{self.me['enterprise']}/register/?level={level}&q=",
            name="register list",
        )

    @task(2)
    def workplace(self):
        if self.me["workplaces"]:
            pk = random.choice(self.me["workplaces"])
            self.client.get(f"/assessments/workplace/{pk}/", name="workplace page")

    @task(2)
    def row(self):
        if self.me["rows"]:
            self.client.get(f"/assessments/rows/{random.choice(self.me['rows'])}/", name="register row")

    @task(1)
    def save_row(self):
        """Open a row's edit form and save it with a changed head-count, as an officer would."""
        if not self.me["rows"]:
            return
        pk = random.choice(self.me["rows"])
        page = self.client.get(f"/register/{pk}/edit/", name="row edit form")
        values = form_values(page.text)
        values["exposed_count"] = str(random.randint(1, 40))
        # Each simulated officer has an enterprise of its own (loadtest_users makes more officers
        # than users), so a save is never refused as stale: only the redirect after it counts.
        with self.client.post(
            f"/register/{pk}/edit/", values, name="row save", catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"status {response.status_code}")


class RegionalReviewer(SignedIn):
    weight = 1

    def on_start(self):
        self.me = next(_regional)
        self.sign_in(self.me["username"])

    @task
    def dashboard(self):
        self.client.get(f"/reports/regions/{self.me['region']}/", name="regional dashboard")


class FederalReviewer(SignedIn):
    weight = 1

    def on_start(self):
        self.sign_in(PEOPLE["federal"][0]["username"])

    @task
    def dashboard(self):
        self.client.get("/reports/", name="federal dashboard")


class Trivial(HttpUser):
    """The yardstick: the load test's one-query page (loadtest/trivial.py), no sign-in, no think
    time. run.py names the user classes of each run on Locust's command line, so this one is never
    mixed with the others."""

    wait_time = constant(0)

    @task
    def trivial(self):
        self.client.get("/loadtest/trivial/", name="trivial")
