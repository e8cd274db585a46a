"""RiskPilot under load (`make loadtest`): safety officers browse their register and save register
rows, regional and federal reviewers read their dashboards. The accounts and the objects each one
visits come from `manage.py loadtest_users` (LOADTEST_USERS, a JSON file)."""

import itertools
import json
import os
import random
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task
from requests.cookies import RequestsCookieJar

PEOPLE = json.loads(Path(os.environ.get("LOADTEST_USERS", "var/loadtest-users.json")).read_text())
PASSWORD = PEOPLE["password"]
_officers = itertools.cycle(PEOPLE["officers"])
_regional = itertools.cycle(PEOPLE["regional"])

# Response times of the pages alone, without the sign-in (a deliberately slow password hash, once
# per person): run.py reports both. Written when Locust stops.
_page_times: list[float] = []


@events.request.add_listener
def _page_time(name, response_time, exception, **kwargs):
    if name not in ("login page", "login") and exception is None:
        _page_times.append(response_time)


@events.reset_stats.add_listener
def _forget_arrival(**kwargs):
    # Locust resets its statistics once every user has arrived; the page times follow.
    _page_times.clear()


@events.quitting.add_listener
def _save_page_times(**kwargs):
    if os.environ.get("LOADTEST_PAGE_TIMES"):
        Path(os.environ["LOADTEST_PAGE_TIMES"]).write_text(json.dumps(_page_times))


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
    # second — a busy morning in a regional ministry, all at once.
    wait_time = between(2, 8)

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
