"""One page of the register list, in two narrow queries instead of one wide one.

The filtered, sorted rows of an enterprise are first reduced to the page's ids: a query on the
register rows alone, with only the joins its sort needs (the workplace's number, the event's
code) and no measure counts, so PostgreSQL sorts a few thousand narrow tuples and stops at the
page. Then the page's fifty rows are read by id with everything the list shows (workplace, unit,
event, measure counts, the current assessment's approval state). Counting the rows is a third
query on the same narrow filter. Three queries whatever the enterprise's size."""

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Subquery

from hazards.models import Hazard

from ..models import RiskAssessment
from .register_filters import with_measure_counts

PAGE_SIZE = 50
SHOWN_FIELDS = (
    "workplace__number",
    "workplace__position",
    "workplace__department__name",
    "event__code",
    "event__name_ru",
    "event__name_en",
    "source",
    "status",
    "next_review_on",
    "needs_reassessment",
    "risk_level",
    "residual_level",
)


def register_page(rows, number, *, enterprise) -> Page:
    """Page ``number`` of ``rows`` (filtered and ordered register rows of ``enterprise``), its
    object list being the rows with their relations, in the same order."""
    # The redundant condition on the workplace's enterprise lets the planner read only this
    # enterprise's workplaces (index workplace_ent_number_order) for the sort, not all of them.
    ids = rows.filter(workplace__enterprise=enterprise).values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(number)
    page_ids = list(page.object_list)
    by_id = {row.pk: row for row in page_rows(page_ids)}
    page.object_list = [by_id[pk] for pk in page_ids if pk in by_id]
    return page


def page_rows(ids: list[int]):
    """The rows of one page with what the list shows of them."""
    if not ids:
        return Hazard.objects.none()
    # The approval state of each row's current assessment, for its badge (at most one current
    # assessment per row: a unique constraint).
    current = RiskAssessment.objects.filter(hazard=OuterRef("pk"), is_current=True)
    return (
        with_measure_counts(Hazard.objects.filter(pk__in=ids))
        .select_related("workplace__department", "event")
        # Only the columns the rows draw (assessments.templatetags.register_rows): the rest of
        # five tables' columns cost more to read and to turn into objects than the query itself.
        .only(*SHOWN_FIELDS)
        .annotate(
            approval_status=Subquery(current.values("status")[:1]),
            return_reason=Subquery(current.values("return_reason")[:1]),
        )
        .order_by()
    )
