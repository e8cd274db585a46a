"""RiskPilot's HTTP API, version 1: django-ninja builds the OpenAPI 3.1 schema from the type hints
of the operations below (served at /api/v1/schema/, browsable at /api/v1/docs/)."""

from django.views.decorators.http import require_safe
from ninja import NinjaAPI

from . import errors
from .auth import AUTH
from .routers import (
    assessments,
    catalogue,
    enterprises,
    figures,
    hazards,
    incidents,
    measures,
    regions,
    reports,
    structure,
)
from .throttling import TokenThrottle


class RiskPilotAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The view's name (region_list, hazard_update…): short and stable for generated clients.
        return operation.view_func.__name__


api = RiskPilotAPI(
    title="RiskPilot API",
    version="1",
    # The schema is for programmers and stays in English; errors speak the caller's language.
    description=(
        "Occupational risk registers over HTTP. Authenticate with a personal API token "
        "('Authorization: Bearer TOKEN', created on your settings page) or, from RiskPilot's "
        "own pages, with the browser session. Errors are application/problem+json."
    ),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    docs_decorator=require_safe,
    auth=AUTH,
    throttle=[TokenThrottle()],
)
errors.install(api)

api.add_router("/regions/", regions.router)
api.add_router("/enterprises/", enterprises.router)
api.add_router("/units/", structure.units)
api.add_router("/workplaces/", structure.workplaces)
api.add_router("/catalogue/", catalogue.router)
api.add_router("/register-rows/", hazards.router)
api.add_router("/assessments/", assessments.assessments)
api.add_router("/measures/", measures.router)
api.add_router("/evidence/", measures.evidence)
api.add_router("/incidents/", incidents.router)
api.add_router("/figures/", figures.router)
api.add_router("/reports/", reports.router)
