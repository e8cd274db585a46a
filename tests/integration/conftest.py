"""Real parts for the integration tests: a throw-away redis-server, Celery worker and beat processes,
and an SMTP server, all on spare loopback ports.

Each test gets its own Redis, so killing or restarting it disturbs nothing else on the machine. The
worker and beat run as separate processes with the test database (the tests are transactional, so
what a test writes is committed and the worker sees it). Their logs land in the test's tmp_path and
are printed when a wait times out.
"""

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import time
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

PROJECT_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str, logs=()) -> None:
    """Poll ``predicate`` until it is true; on time-out fail with the processes' logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name} ---\n{log.read_text()[-4000:]}" for log in logs if log.exists())
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{tails}", pytrace=False)


# --- Redis ----------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of our own that, like production's, keeps nothing on disk."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.log = directory / f"redis-{self.port}.log"
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(self.answers, timeout=20, what="redis-server", logs=[self.log])

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # as a crash would: nothing is saved, the queue is gone
            self.process.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def queue_length(self, queue: str) -> int:
        import redis

        return redis.Redis(port=self.port).llen(queue)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# --- SMTP -----------------------------------------------------------------------------------------


class MailSink:
    """aiosmtpd handler: keeps every message; refuses the recipients listed in ``refused``. While
    ``hold_data`` is set it keeps a message it has received but does not answer yet (a sender
    killed in that moment never learns that the message went)."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()
        self.refusals = 0
        self.hold_data = False
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            self.refusals += 1
            return "550 5.7.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        while self.hold_data:
            await asyncio.sleep(0.1)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for message in self.messages if address in message["X-Envelope-To"]]

    def start(self, port: int) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{port}"

    def stop(self) -> None:
        """The mail server goes away: its port refuses connections until start() again."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    sink = MailSink()
    sink.start(free_port())
    yield sink
    sink.hold_data = False
    sink.stop()


# --- Celery processes -----------------------------------------------------------------------------


def test_database_url() -> str:
    """The test database (pytest-django's), as a URL the worker's settings understand."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


class CeleryProcess:
    """A `celery worker` or `celery beat` process in its own process group, so that one signal
    reaches the main process and its pool children alike."""

    def __init__(self, kind: str, args: list[str], env: dict, directory: Path, name: str):
        self.kind = kind
        self.args = args
        self.env = env
        self.log = directory / f"{name}.log"
        self.process = None

    def start(self) -> "CeleryProcess":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "riskpilot", self.kind, *self.args],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if self.kind == "worker":
            wait_until(
                lambda: "ready." in self.log.read_text(), timeout=60, what="the worker", logs=[self.log]
            )
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: no clean-up, no acknowledgement, no message returned."""
        if self.running():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if not self.running():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


class Services:
    """Starts worker and beat processes against one Redis, one SMTP server and the test database;
    stops them all when the test ends (before pytest-django empties the database)."""

    def __init__(self, redis: RedisServer, smtp: MailSink, directory: Path):
        self.redis = redis
        self.smtp = smtp
        self.directory = directory
        self.processes: list[CeleryProcess] = []
        self.private_root = directory / "private"

    @property
    def env(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
        }
        env.update(
            DATABASE_URL=test_database_url(),
            REDIS_URL=self.redis.url,
            EMAIL_URL=self.smtp.url,
            PRIVATE_MEDIA_ROOT=str(self.private_root),
            ADMINS="RiskPilot Admin <admin@riskpilot.test>",
            SITE_URL="https://riskpilot.test",
            # Fast retries and a short grace before the reconciler steps in: the test waits seconds,
            # not the minutes production allows.
            REPORTS_DELIVERY_RETRY_BASE="1",
            REPORTS_RECONCILE_GRACE="3",
            REPORTS_RENDER_STALE_AFTER="5",
            REPORTS_DELIVERY_MAX_ATTEMPTS="3",
            # After the quick retries the reconciler tries a failed delivery every 4 s, not hours.
            REPORTS_DELIVERY_MAX_BACKOFF="4",
            PYTHONUNBUFFERED="1",
        )
        return env

    def worker(self, name: str = "worker", queues: str = "celery,pdf", concurrency: int = 1) -> CeleryProcess:
        process = CeleryProcess(
            "worker",
            ["-Q", queues, "-n", f"{name}@127.0.0.1", "--concurrency", str(concurrency), "--loglevel", "INFO",
             "--without-mingle", "--without-gossip", "--max-tasks-per-child", "20"],
            self.env,
            self.directory,
            name,
        )  # fmt: skip
        self.processes.append(process)
        return process.start()

    def beat(self, *, reconcile_every: int = 1) -> CeleryProcess:
        """Beat with only the reconciler on its schedule, every ``reconcile_every`` seconds
        (transactional tests empty the tables, so the migration's schedule is written again)."""
        from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

        PeriodicTask.objects.all().delete()
        every, _ = IntervalSchedule.objects.get_or_create(every=reconcile_every, period="seconds")
        PeriodicTask.objects.create(name="reconcile", task="reports.tasks.reconcile_reports", interval=every)
        PeriodicTasks.update_changed()
        process = CeleryProcess(
            "beat",
            ["--loglevel", "INFO", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
             "--max-interval", "1"],
            self.env,
            self.directory,
            "beat",
        )  # fmt: skip
        self.processes.append(process)
        return process.start()

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def call(self, task: str, *, args: str = "[]", kwargs: str = "{}") -> None:
        """Send a task by name through the broker, as beat does at a due time."""
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "riskpilot", "call", task, "--args", args,
             "--kwargs", kwargs],
            cwd=PROJECT_DIR,
            env=self.env,
            capture_output=True,
            timeout=60,
            check=True,
        )  # fmt: skip

    @property
    def logs(self) -> list[Path]:
        return [process.log for process in self.processes] + [self.redis.log]

    def wait_until(self, predicate, *, timeout: float, what: str) -> None:
        wait_until(predicate, timeout=timeout, what=what, logs=self.logs)

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()


@pytest.fixture
def services(redis_server, smtp_server, tmp_path, reference_data):
    running = Services(redis_server, smtp_server, tmp_path)
    yield running
    running.stop_all()
    # The worker's persistent connections must be gone before pytest-django flushes the database.
    connection.close()


# --- make faults: the fault scenarios and their table -------------------------------------------------
# A test marked @pytest.mark.fault(scenario, expected) (registered in pyproject.toml) is one of
# the scenarios `make faults` runs (and `make test` leaves out); it records what it saw with the
# ``observe`` fixture, and the run ends with a table: scenario, expected, observed, result.


@pytest.fixture
def observe(request):
    """observe("1 e-mail", ...): what the scenario saw, for the table."""
    notes = request.node.stash.setdefault(OBSERVED, [])
    return notes.append


OBSERVED = pytest.StashKey[list]()
RESULTS: list[tuple[str, str, str, str]] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    marker = item.get_closest_marker("fault")
    if marker and (report.when == "call" or (report.when == "setup" and not report.passed)):
        scenario, expected = marker.args
        observed = "; ".join(item.stash.get(OBSERVED, [])) or "-"
        if report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message.splitlines()[0] if crash else "failed"
            observed = f"{observed} | {message[:150]}"
        RESULTS.append((scenario, expected, observed, report.outcome.upper()))
    return report


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    headers = ("scenario", "expected", "observed", "result")
    widths = [max(len(row[i]) for row in [headers, *RESULTS]) for i in range(4)]
    line = "+" + "+".join("-" * (width + 2) for width in widths) + "+"
    terminalreporter.section("fault scenarios")

    def write(row):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        terminalreporter.write_line("| " + " | ".join(cells) + " |")

    terminalreporter.write_line(line)
    write(headers)
    terminalreporter.write_line(line)
    for row in RESULTS:
        write(row)
    terminalreporter.write_line(line)
