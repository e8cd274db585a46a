"""The load test's yardstick: the cheapest page Django can serve with one query, answered by the
same gunicorn, settings and middleware as the real pages. `make loadtest` measures how many of
these the machine serves per second beside the real mix: their ratio says how close the pages come
to what the framework allows here.

Routed only when LOADTEST_TRIVIAL_VIEW is true (bench/loadtest/urls.py); the setting is off unless
bench/loadtest/run.py turns it on for its own server."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from enterprises.models import Region


@never_cache
def trivial(request):
    first = Region.objects.order_by("pk").values_list("code", flat=True).first()
    return HttpResponse(f"ok {first}", content_type="text/plain; charset=utf-8")
