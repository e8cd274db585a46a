"""The load test's own URLconf: the product's URLs and the one-query yardstick page beside them.
Settings use it only when LOADTEST_TRIVIAL_VIEW is on (bench/loadtest/run.py, for its own server)."""

from django.urls import path

from riskpilot.urls import urlpatterns as product_urlpatterns

from .trivial import trivial

urlpatterns = [
    *product_urlpatterns,
    path("loadtest/trivial/", trivial, name="loadtest_trivial"),
]
