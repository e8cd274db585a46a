from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """Benchmark and load-test tooling: its management commands only. Production settings do not
    install it (settings.BENCH_TOOLS)."""

    name = "bench"
    verbose_name = _("Benchmarks")
