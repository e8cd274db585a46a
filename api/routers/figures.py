"""Figures for a scope and period: the same functions as the dashboards (dashboards.figures), so a
program reads exactly the numbers the pages show."""

import re
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import AfterValidator, Field

from dashboards import figures, rollups
from dashboards.views import region_for_user
from enterprises.access import get_for_user
from enterprises.models import Enterprise

from ..schemas.common import READ_ERRORS
from ..schemas.figures import FiguresOut

router = Router(tags=["figures"])

# The derived figures, as the dashboards' tables show them.
INDICATORS = (
    "workplaces_assessed_share",
    "rows_rated",
    "rows_high_critical",
    "due_for_review_share",
    "measures_planned",
    "measures_completion",
    "measures_on_time_share",
    "average_headcount",
    "frequency_rate",
    "severity_rate",
    "fatal_rate",
    "ltifr",
    "near_misses_per_accident",
    "microtraumas_per_100",
    "occupational_diseases_per_10000",
)
PERIOD = re.compile(r"^(12m|6m|3m|24m|year|last_year|\d{4}-(0[1-9]|1[0-2])|\d{4}-Q[1-4])$")


def _period(value: str) -> str:
    if not PERIOD.match(value):
        raise ValueError("unknown period")
    return value


class FiguresQuery(Schema):
    region: Annotated[str, Field(pattern=r"^\d{2}$")] | None = Field(None, description="A region's code.")
    enterprise: int | None = Field(None, ge=1, le=2**63 - 1, description="One enterprise.")
    period: Annotated[str, AfterValidator(_period)] = Field(
        figures.DEFAULT_PERIOD,
        description="12m, 6m, 3m, 24m, year, last_year, a month (2026-06) or a quarter (2026-Q2).",
    )


@router.get("/", response={200: FiguresOut, **READ_ERRORS}, url_name="figures")
def figures_for_scope(request, params: Query[FiguresQuery]):
    """An enterprise's, a region's (its reviewers, federal reviewers) or, without either, the
    caller's whole scope."""
    user = request.auth
    enterprises = Enterprise.objects.for_user(user)
    if params.enterprise:
        enterprise = get_for_user(Enterprise.objects.all(), user, pk=params.enterprise)
        enterprises, scope = enterprises.filter(pk=enterprise.pk), enterprise.short_name
    elif params.region:
        region = region_for_user(user, params.region)
        enterprises, scope = enterprises.filter(region=region), region.name
    else:
        scope = _("Everything you can see")
    # As the dashboards: asks for a refresh of roll-ups that are too old, and says how old they are.
    run = rollups.fresh_run()
    filters = figures.Filters(period=figures.period_for(params.period))
    # Summed per region in the database (as the federal dashboard does), then over the regions:
    # the same counts as adding up the enterprises' rows, without building one per enterprise.
    totals = figures.total(figures.region_rows(enterprises, filters), label=scope)
    period = filters.period
    return {
        "scope": scope,
        "as_of": run.finished_at if run is not None else None,
        "period": {
            "key": period.key,
            "first_month": period.first_month,
            "last_month": period.last_month,
            "state_day": period.state_day(),
        },
        "enterprises": totals.enterprises,
        "counts": dict(totals.counts),
        "indicators": {
            name: (None if (value := getattr(totals, name)) is None else float(value)) for name in INDICATORS
        },
    }
