"""`make loadtest`: RiskPilot under gunicorn on 127.0.0.1 against the benchmark database, driven by
Locust (bench/loadtest/locustfile.py) for a fixed time; prints and saves requests/s, p50/p95/p99 and
the error count, and exits non-zero if any request failed.

The server runs with the production settings (RISKPILOT_ENV=production: DEBUG off, static files
collected and served by WhiteNoise, Secure cookies) on plain HTTP on loopback: only the redirect to
HTTPS is off, and the locustfile sends the Secure cookies over HTTP as a browser behind TLS would.
"""

import argparse
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"


def run(*args, env, **kwargs):
    print("$", " ".join(args), flush=True)
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer within {seconds} s")


def seconds(duration: str) -> int:
    """Locust's duration syntax (90, 90s, 2m, 1h) in seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    if duration[-1:] in units:
        return int(duration[:-1]) * units[duration[-1]]
    return int(duration)


def create_database(url: str) -> None:
    """The benchmark database, created if missing (only a name with "bench" in it)."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    if "bench" not in name:
        raise SystemExit(f"refusing to load-test {name!r}: use a database whose name contains 'bench'")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def page_percentiles(path: Path) -> dict:
    times = sorted(json.loads(path.read_text())) if path.exists() else []
    if not times:
        return {}

    def at(share):
        return round(times[min(len(times) - 1, int(share * len(times)))])

    return {
        "loadtest_pages_requests": len(times),
        "loadtest_pages_p50_ms": at(0.50),
        "loadtest_pages_p95_ms": at(0.95),
        "loadtest_pages_p99_ms": at(0.99),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="postgres://…/riskpilot_bench_<scale>")
    parser.add_argument("--scale", default="full")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--output", default="loadtest-results.json")
    options = parser.parse_args()

    python = sys.executable
    env = {
        **os.environ,
        "DATABASE_URL": options.database,
        # A broker the dashboards queue their refresh on (nothing consumes it here): the pages
        # read the roll-ups as they are, as they do in production between two refreshes.
        "REDIS_URL": os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "REPORTS_ROLLUP_MAX_AGE": str(24 * 3600),
        "RISKPILOT_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": tempfile.mkdtemp(prefix="riskpilot-static-"),
        "LOADTEST_USERS": str(VAR / "loadtest-users.json"),
        "LOADTEST_PAGE_TIMES": str(VAR / "loadtest-page-times.json"),
    }
    create_database(options.database)
    run(python, "manage.py", "migrate", "--noinput", env=env)
    run(python, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    # The data and the accounts come from the bench app's commands, which production settings
    # leave out unless asked: only these two commands get it, the server runs without.
    tooling = {**env, "RISKPILOT_BENCH_TOOLS": "true"}
    run(python, "manage.py", "generate_bench_data", "--scale", options.scale, env=tooling)
    # The dashboards read roll-ups: bring them up to date once, as the periodic task keeps them.
    run(python, "manage.py", "shell", "-c", "from dashboards import rollups; rollups.refresh()", env=env)
    run(python, "manage.py", "loadtest_users", "--officers", str(options.users + 10), "--output",
        env["LOADTEST_USERS"], env=tooling)  # fmt: skip

    server = subprocess.Popen(
        [python, "-m", "gunicorn", "riskpilot.wsgi:application", "--bind", f"127.0.0.1:{options.port}",
         "--workers", str(options.workers), "--access-logfile", "/dev/null"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    stats_prefix = VAR / "loadtest"
    try:
        host = f"http://127.0.0.1:{options.port}"
        wait_for(f"{host}/healthz/")
        Path(env["LOADTEST_PAGE_TIMES"]).unlink(missing_ok=True)
        load_before = os.getloadavg()
        # Users arrive over about 25 seconds, as people start their day: each sign-in hashes a
        # password (deliberately slow), and fifty at once would measure a login stampede rather
        # than the pages. The statistics start once all are working (--reset-stats) and then run
        # for the whole --duration: Locust's run time counts the arrival too, so it is added.
        spawn_rate = max(1, options.users // 25)
        run_time = seconds(options.duration) + options.users // spawn_rate + 5
        locust = [
            "-m", "locust", "-f", "bench/loadtest/locustfile.py", "--headless", "--host", host,
            "--users", str(options.users), "--spawn-rate", str(spawn_rate), "--reset-stats",
            "--run-time", f"{run_time}s", "--csv", str(stats_prefix), "--only-summary",
            "--exit-code-on-error", "0",
        ]  # fmt: skip
        run(python, *locust, env=env)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(30)

    with open(f"{stats_prefix}_stats.csv", newline="") as source:
        rows = {row["Name"]: row for row in csv.DictReader(source)}
    total = rows["Aggregated"]
    results = {
        "loadtest_users": options.users,
        "loadtest_duration": options.duration,
        "loadtest_scale": options.scale,
        "loadtest_requests": int(total["Request Count"]),
        "loadtest_rps": round(float(total["Requests/s"]), 1),
        "loadtest_p50_ms": float(total["50%"]),
        "loadtest_p95_ms": float(total["95%"]),
        "loadtest_p99_ms": float(total["99%"]),
        "loadtest_errors": int(total["Failure Count"]),
        # The same without the sign-in requests: what a signed-in person waits for a page.
        **page_percentiles(Path(env["LOADTEST_PAGE_TIMES"])),
        "loadtest_by_page_p95_ms": {
            name: float(row["95%"]) for name, row in rows.items() if name != "Aggregated"
        },
        "loadtest_load_average": [round(value, 2) for value in (*load_before, *load_after)],
        "cpu_count": os.cpu_count(),
    }
    Path(options.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(
        f"\n{results['loadtest_requests']} requests, {results['loadtest_rps']} /s, p50 "
        f"{results['loadtest_p50_ms']} ms, p95 {results['loadtest_p95_ms']} ms (target ≤ 300), p99 "
        f"{results['loadtest_p99_ms']} ms, errors {results['loadtest_errors']} (target 0)"
        f"; pages without sign-in: p50 {results.get('loadtest_pages_p50_ms')} ms, p95 "
        f"{results.get('loadtest_pages_p95_ms')} ms, p99 {results.get('loadtest_pages_p99_ms')} ms"
    )
    return 1 if results["loadtest_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
