"""The project's URLs plus one view that fails, for the test of the 500 page."""

from django.urls import path

from riskpilot.urls import urlpatterns as project_patterns


def failing_view(request):
    raise RuntimeError("a deliberate failure")


urlpatterns = [*project_patterns, path("test-failure/", failing_view)]
