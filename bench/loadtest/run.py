"""`make loadtest`: RiskPilot under gunicorn on 127.0.0.1 against the benchmark database, driven by
Locust (bench/loadtest/locustfile.py) for a fixed time; prints and saves requests/s, p50/p95/p99 and
the error count, and exits non-zero if any request failed.

Then, against the same server, two stepped runs without think time (more users at each step, each
asking for the next page as soon as it has the last): the mixed workload, whose saturation point
is the highest request rate at which p95 stays ≤ 300 ms with no failed request
(`loadtest_capacity_rps`), and the one-query yardstick page (bench/loadtest/trivial.py,
`loadtest_trivial_rps`). Their ratio says how close the real pages come to what Django and
gunicorn allow on this machine; the capacity times a person's time per page (5 s of reading plus
the wait) says how many people at work it carries.

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


# Saturation: the highest step whose pages keep p95 within this and fail none.
CAPACITY_P95_MS = 300
# A person reads a page for 2–8 s before the next click (locustfile.SignedIn.wait_time).
MEAN_THINK_S = 5.0


def step_table(path: Path) -> list[dict]:
    """Requests/s, p50, p95 and failures per step of a stepped run (its samples file)."""
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    seconds_counted = data["counted_seconds"]
    table = []
    for index, users in enumerate(data["steps"]):
        times = sorted(time_ms for step, time_ms, _failed in data["samples"] if step == index)
        failures = sum(1 for step, _time_ms, failed in data["samples"] if step == index and failed)
        if not times:
            continue
        table.append(
            {
                "users": users,
                "rps": round(len(times) / seconds_counted, 1),
                "p50_ms": round(times[len(times) // 2]),
                "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))]),
                "failures": failures,
            }
        )
    return table


def capacity(table: list[dict]) -> dict | None:
    """The step with the highest request rate that kept p95 ≤ 300 ms and failed nothing."""
    good = [row for row in table if row["p95_ms"] <= CAPACITY_P95_MS and not row["failures"]]
    return max(good, key=lambda row: row["rps"]) if good else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="postgres://…/riskpilot_bench_<scale>")
    parser.add_argument("--scale", default="full")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--port", type=int, default=8765)
    # The settings chosen from the stepped runs (README, "Load test"); the same as production's.
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
    )
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", 1)))
    parser.add_argument(
        "--no-preload", dest="preload", action="store_false", help="Import the app in each worker."
    )
    parser.add_argument(
        "--steps", default="1,2,4,6,8,12,16,24", help="Users at each step of the stepped runs."
    )
    parser.add_argument("--step-seconds", type=int, default=20)
    parser.add_argument("--no-capacity", dest="capacity", action="store_false", help="Skip the stepped runs.")
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
        # The one-query yardstick page, for this server only (bench/loadtest/trivial.py).
        "LOADTEST_TRIVIAL_VIEW": "true",
    }
    steps = [int(users) for users in options.steps.split(",") if users.strip()]
    create_database(options.database)
    run(python, "manage.py", "migrate", "--noinput", env=env)
    run(python, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    # The data and the accounts come from the bench app's commands, which production settings
    # leave out unless asked: only these two commands get it, the server runs without.
    tooling = {**env, "RISKPILOT_BENCH_TOOLS": "true"}
    run(python, "manage.py", "generate_bench_data", "--scale", options.scale, env=tooling)
    # The dashboards read roll-ups: bring them up to date once, as the periodic task keeps them.
    run(python, "manage.py", "shell", "-c", "from dashboards import rollups; rollups.refresh()", env=env)
    # An officer account (and enterprise) per simulated officer: two on one row would refuse each
    # other's saves as stale.
    officers = max(options.users, *steps) + 10
    run(python, "manage.py", "loadtest_users", "--officers", str(officers), "--output",
        env["LOADTEST_USERS"], env=tooling)  # fmt: skip

    gunicorn = [
        python, "-m", "gunicorn", "riskpilot.wsgi:application", "--bind", f"127.0.0.1:{options.port}",
        "--workers", str(options.workers), "--threads", str(options.threads), "--access-logfile", "/dev/null",
    ]  # fmt: skip
    if options.preload:
        gunicorn.append("--preload")
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
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
        run(python, *locust, "Officer", "RegionalReviewer", "FederalReviewer", env=env)
        load_after = os.getloadavg()
        stepped = {}
        if options.capacity:
            for name, users in (
                ("mixed", ["Officer", "RegionalReviewer", "FederalReviewer"]),
                ("trivial", ["Trivial"]),
            ):
                stepped[name] = stepped_run(python, host, env, users, steps, options.step_seconds, name)
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
    results.update(
        {
            "loadtest_gunicorn": {
                "workers": options.workers,
                "threads": options.threads,
                "preload": options.preload,
            },
            "loadtest_conn_max_age": int(env.get("DB_CONN_MAX_AGE", 600)),
        }
    )
    if stepped:
        results.update(capacity_results(stepped))
    Path(options.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(
        f"\n{results['loadtest_requests']} requests, {results['loadtest_rps']} /s, p50 "
        f"{results['loadtest_p50_ms']} ms, p95 {results['loadtest_p95_ms']} ms (target ≤ 300), p99 "
        f"{results['loadtest_p99_ms']} ms, errors {results['loadtest_errors']} (target 0)"
        f"; pages without sign-in: p50 {results.get('loadtest_pages_p50_ms')} ms, p95 "
        f"{results.get('loadtest_pages_p95_ms')} ms, p99 {results.get('loadtest_pages_p99_ms')} ms"
    )
    if stepped:
        for name in ("mixed", "trivial"):
            print(f"\nStepped run, {name} (no think time):")
            print(f"{'users':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'failed':>8}")
            for row in results[f"loadtest_steps_{name}"]:
                print(
                    f"{row['users']:>6}{row['rps']:>9}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['failures']:>8}"
                )
        print(
            f"\nCapacity of the mixed workload: {results.get('loadtest_capacity_rps')} requests/s with p95 ≤ "
            f"{CAPACITY_P95_MS} ms and no failure (at {results.get('loadtest_capacity_users')} users without "
            f"think time); about {results.get('loadtest_capacity_people')} people reading 2–8 s between "
            f"clicks. The one-query page: {results.get('loadtest_trivial_rps')} requests/s. Ratio "
            f"{results.get('loadtest_capacity_vs_trivial')}."
        )
    return 1 if results["loadtest_errors"] else 0


def stepped_run(python, host, env, user_classes, steps, step_seconds, name) -> list[dict]:
    """One stepped run of these Locust user classes; its table of steps."""
    samples = VAR / f"loadtest-steps-{name}.json"
    samples.unlink(missing_ok=True)
    step_env = {
        **env,
        "LOADTEST_STEPS": ",".join(str(users) for users in steps),
        "LOADTEST_STEP_SECONDS": str(step_seconds),
        "LOADTEST_STEP_SAMPLES": str(samples),
    }
    locust = [
        "-m", "locust", "-f", "bench/loadtest/locustfile.py", "--headless", "--host", host,
        "--only-summary", "--exit-code-on-error", "0", *user_classes,
    ]  # fmt: skip
    run(python, *locust, env=step_env)
    return step_table(samples)


def capacity_results(stepped: dict) -> dict:
    mixed, trivial = capacity(stepped["mixed"]), capacity(stepped["trivial"])
    results = {
        "loadtest_steps_mixed": stepped["mixed"],
        "loadtest_steps_trivial": stepped["trivial"],
        "loadtest_capacity_rps": mixed["rps"] if mixed else None,
        "loadtest_capacity_users": mixed["users"] if mixed else None,
        "loadtest_capacity_p95_ms": mixed["p95_ms"] if mixed else None,
        # The last step still within the limits is not the saturation point if the next steps
        # were too: then the machine saturated beyond the steps tried.
        "loadtest_capacity_saturated": bool(mixed and stepped["mixed"] and mixed is not stepped["mixed"][-1]),
        "loadtest_trivial_rps": trivial["rps"] if trivial else None,
    }
    if mixed:
        # Each person asks for a page every MEAN_THINK_S plus the page's own time.
        results["loadtest_capacity_people"] = int(mixed["rps"] * (MEAN_THINK_S + mixed["p50_ms"] / 1000))
    if mixed and trivial:
        results["loadtest_capacity_vs_trivial"] = round(mixed["rps"] / trivial["rps"], 3)
    return results


if __name__ == "__main__":
    sys.exit(main())
