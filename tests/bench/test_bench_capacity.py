"""The benchmark's and the load test's arithmetic: the full/small comparison of `make bench` and
the saturation point of `make loadtest`'s stepped runs."""

import importlib.util
import json
from pathlib import Path

import pytest
from django.conf import settings

from bench.management.commands.bench_dashboards import (
    SAME_SIZE_ENTERPRISES,
    SAME_SIZE_ROWS,
    compare_scales,
    full_vs_small_targets,
    results_file,
    same_size_subjects,
)


def _load_run():
    path = Path(settings.BASE_DIR) / "bench" / "loadtest" / "run.py"
    spec = importlib.util.spec_from_file_location("loadtest_run", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_full_vs_small_divides_the_two_scales_p50(tmp_path):
    output = tmp_path / "bench-results.json"
    small = {"scale": "small", "measured_at": "s", "register_list_default_p50_ms": 20.0}
    assert compare_scales(small, output) == {}  # the other scale not measured yet
    assert json.loads(results_file(output, "small").read_text()) == small

    full = {
        "scale": "full",
        "measured_at": "f",
        "register_list_default_p50_ms": 25.0,
        "workplace_page_p50_ms": 9,
    }
    ratios = compare_scales(full, output)
    assert ratios["register_list_default_full_vs_small"] == 1.25
    assert "workplace_page_full_vs_small" not in ratios  # not measured at the small scale
    assert ratios["full_vs_small_measured_at"] == {"full": "f", "small": "s"}


def test_the_target_is_on_the_same_size_comparison_where_a_page_has_one(tmp_path):
    output = tmp_path / "bench-results.json"
    pages = ("dashboard_region", "dashboard_region_same_size", "dashboard_federal", "workplace_page")
    compare_scales({"scale": "small", **{f"{page}_p50_ms": 10.0 for page in pages}}, output)
    ratios = compare_scales({"scale": "full", **{f"{page}_p50_ms": 20.0 for page in pages}}, output)
    assert ratios["dashboard_region_full_vs_small"] == ratios["dashboard_region_same_size_full_vs_small"] == 2

    targets = full_vs_small_targets(ratios)
    # The largest region is reported, its same-size peer judged; pages without a peer are judged.
    assert set(targets) == {
        "dashboard_region_same_size_full_vs_small",
        "dashboard_federal_full_vs_small",
        "workplace_page_full_vs_small",
    }


@pytest.mark.django_db
def test_same_size_subjects_are_the_region_and_register_nearest_the_sizes(region_a, region_b):
    from tests.factories import EnterpriseFactory, HazardFactory, WorkplaceFactory

    for _ in range(SAME_SIZE_ENTERPRISES - 1):
        EnterpriseFactory(region=region_a)
    for _ in range(SAME_SIZE_ENTERPRISES + 5):
        EnterpriseFactory(region=region_b)
    near, far = EnterpriseFactory(region=region_a), EnterpriseFactory(region=region_b)
    workplace = WorkplaceFactory(department__enterprise=near)
    HazardFactory.create_batch(3, workplace=workplace)
    HazardFactory(workplace=WorkplaceFactory(department__enterprise=far))

    region, enterprise = same_size_subjects()
    assert (region, region.count) == (region_a, SAME_SIZE_ENTERPRISES)
    assert (enterprise, enterprise.count) == (near, 3)  # of the registers, 3 rows is nearest
    assert SAME_SIZE_ROWS > 3


def test_capacity_is_the_fastest_step_within_the_limits(tmp_path):
    run = _load_run()
    samples = {
        "steps": [1, 2, 4],
        "counted_seconds": 10,
        "samples": [
            *[(0, 100.0, False)] * 50,  # 5 requests/s, fast
            *[(1, 200.0, False)] * 90,
            *[(1, 250.0, True)],  # one failure: this step does not count
            *[(2, 280.0, False)] * 80,  # 8 requests/s, p95 within 300 ms
        ],
    }
    path = tmp_path / "steps.json"
    path.write_text(json.dumps(samples))
    table = run.step_table(path)
    assert [row["rps"] for row in table] == [5.0, 9.1, 8.0]
    assert table[1]["failures"] == 1
    best = run.capacity(table)
    assert best["users"] == 4 and best["rps"] == 8.0

    slow = [{"users": 1, "rps": 3.0, "p50_ms": 200, "p95_ms": 400, "failures": 0}]
    assert run.capacity(slow) is None
    results = run.capacity_results({"mixed": table, "trivial": [{**table[0], "rps": 40.0}]})
    assert results["loadtest_capacity_rps"] == 8.0
    assert results["loadtest_trivial_rps"] == 40.0
    assert results["loadtest_capacity_vs_trivial"] == 0.2
    assert results["loadtest_capacity_saturated"] is False  # the last step was still within limits
    assert results["loadtest_capacity_people"] == int(8.0 * (5.0 + 0.28))
