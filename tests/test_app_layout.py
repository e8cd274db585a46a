"""The layout of the figures' apps: dashboards (the figures and the pages that show them) and reports
(documents rendered by the worker and delivered) import each other one way only, no module of theirs
sits in an import circle, each imports on its own, and the benchmark tooling (bench) is not part of
a production install."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_settings import SERVICE_VARIABLES, production_env, run_django

ROOT = Path(__file__).resolve().parent.parent
APPS = ("dashboards", "reports", "bench")
PRODUCT_APPS = (
    "enterprises",
    "hazards",
    "assessments",
    "documents",
    "dashboards",
    "reports",
    "api",
    "riskpilot",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_of(*apps: str) -> dict[str, Path]:
    return {
        module_name(path): path
        for app in apps
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    }


def imports_of(name: str, path: Path, known) -> set[str]:
    """The modules among `known` that this one imports, anywhere in it: a circle hidden inside a
    function is still a circle."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            # `from a import b` names module a.b, or b inside a.
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(*apps: str) -> dict[str, set[str]]:
    modules = modules_of(*apps)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of the graph (as a path a → … → a), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_import_graph_sees_relative_and_function_local_imports():
    graph = import_graph("dashboards", "reports")
    assert "dashboards.figures" in graph["dashboards.charts"]  # from .figures import …
    assert "dashboards.figures" in graph["dashboards.tasks"]  # inside warm_period_ends
    assert "reports.pdf" in graph["reports.services"]  # from . import pdf


def test_no_import_circle_in_dashboards_reports_and_bench():
    assert find_cycle(import_graph(*APPS)) is None


def test_imports_point_one_way():
    """reports reads dashboards' figures, never the reverse; the product never imports the tooling;
    only an app's start-up imports a tasks module (tasks call services, never the other way round)."""
    graph = import_graph(*APPS)
    backwards = [
        (a, b)
        for a, targets in graph.items()
        for b in targets
        if a.startswith("dashboards") and b.startswith("reports")
    ]
    assert backwards == []
    into_tasks = [
        (a, b)
        for a, targets in graph.items()
        for b in targets
        if b.endswith(".tasks") and not a.startswith("bench") and not a.endswith(".apps")
    ]
    assert into_tasks == []
    product = modules_of(*PRODUCT_APPS)
    known = {**product, **modules_of("bench")}
    into_bench = [
        (name, target)
        for name, path in product.items()
        for target in imports_of(name, path, known)
        if target.split(".")[0] == "bench"
    ]
    assert into_bench == []


# Imports each module by itself after Django has started: the modules of both apps (models, app
# configs and admin aside, which Django's start-up itself imports once) are forgotten first, so
# each is imported before anything it imports. A circle fails with "partially initialized module".
ALONE = """
import importlib, sys, django
django.setup()
APPS = {"dashboards", "reports", "bench"}
def kept(name):
    return name in APPS or name.endswith((".models", ".apps", ".admin")) or ".migrations" in name
failures = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in APPS and not kept(m)]:
        del sys.modules[loaded]
        parent, _, child = loaded.rpartition(".")
        if parent in sys.modules and hasattr(sys.modules[parent], child):
            delattr(sys.modules[parent], child)
    try:
        importlib.import_module(name)
    except Exception as error:
        failures.append(f"{name}: {error!r}")
print("\\n".join(failures))
sys.exit(1 if failures else 0)
"""


def test_each_module_imports_alone():
    # The load test's scripts run outside Django, with Locust (installed by `make loadtest` only).
    names = [
        n
        for n in modules_of(*APPS)
        if not n.endswith((".models", ".apps", ".admin"))
        and n not in APPS
        and not n.startswith("bench.loadtest")
    ]
    assert "reports.services" in names and "dashboards.rollups" in names
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "riskpilot.settings"
    result = subprocess.run(
        [sys.executable, "-c", ALONE, *names], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_does_not_install_the_bench_tooling(tmp_path):
    result = run_django("print('bench' in settings.INSTALLED_APPS)", **production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"]


def test_development_installs_the_bench_tooling():
    result = run_django("print('bench' in settings.INSTALLED_APPS)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]


@pytest.mark.parametrize(("flag", "installed"), [("true", "True"), ("false", "False")])
def test_the_bench_tooling_follows_an_explicit_setting(tmp_path, flag, installed):
    result = run_django(
        "print('bench' in settings.INSTALLED_APPS)", **production_env(tmp_path), RISKPILOT_BENCH_TOOLS=flag
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [installed]
