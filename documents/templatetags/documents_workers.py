"""Workers' acknowledgement and SOUT data on pages of other apps (the workplace page and the
register overview of assessments, the dashboards of reports). Template tags keep the apps' imports
one-way: those apps' templates load this library, their Python never imports documents.

Each tag runs a fixed number of queries, whatever the number of workplaces or workers. Names are
never shown here: counts and percentages only, with links to the named lists for the enterprise's
officers and managers."""

from django import template
from django.core.paginator import Paginator
from django.utils import timezone

from documents.plans import plans_current
from enterprises.models import Enterprise, Workplace
from enterprises.ordering import workplace_sort_key
from enterprises.sout import SoutState, sout_distribution, sout_distribution_total
from enterprises.workers import sees_personal_data

from ..acknowledgements import AckShare, current_cards, enterprise_shares, workplace_shares
from ..sout_findings import disease_gaps_by_enterprise, sout_findings

register = template.Library()

# Enterprises per page of the regional table, as in the dashboard's table of figures above it.
PER_PAGE = 50


@register.inclusion_tag("documents/acknowledgements/_workplace_panel.html", takes_context=True)
def workplace_people_and_sout(context, workplace: Workplace):
    user = context["request"].user
    today = timezone.localdate()
    card = current_cards([workplace.pk]).get(workplace.pk)
    share = workplace_shares([workplace.pk], today).get(workplace.pk, AckShare())
    sout = sout_findings([workplace], today)[workplace.pk]
    return {
        "request": context["request"],
        "workplace": workplace,
        "card": card,
        "share": share,
        "sout": sout,
        "personal": sees_personal_data(user, workplace.enterprise_id),
        "can_write": user.can_write and workplace.archived_at is None,
        "states": SoutState,
    }


@register.inclusion_tag("documents/acknowledgements/_overview_table.html", takes_context=True)
def enterprise_workers_and_sout(context, enterprise: Enterprise):
    """The register overview's table: per workplace, acknowledgement and SOUT findings (five
    queries)."""
    user = context["request"].user
    today = timezone.localdate()
    workplaces = sorted(Workplace.objects.filter(enterprise=enterprise).active(), key=workplace_sort_key)
    ids = [w.pk for w in workplaces]
    cards = current_cards(ids)
    shares = workplace_shares(ids, today)
    findings = sout_findings(workplaces, today)
    rows, total = [], AckShare()
    for workplace in workplaces:
        share = shares.get(workplace.pk, AckShare())
        total.add(share)
        rows.append(
            {
                "workplace": workplace,
                "card": cards.get(workplace.pk),
                "share": share,
                "sout": findings[workplace.pk],
            }
        )
    return {
        "enterprise": enterprise,
        "rows": rows,
        "total": total,
        "sout_findings": sum(row["sout"].finding_count for row in rows),
        "distribution": sout_distribution(Workplace.objects.filter(pk__in=ids), today).get(enterprise.pk),
        "personal": sees_personal_data(user, enterprise.pk),
        "can_write": user.can_write,
        "states": SoutState,
    }


@register.inclusion_tag("documents/acknowledgements/_dashboard_enterprise.html")
def enterprise_acknowledgement_and_sout(enterprise: Enterprise):
    """The enterprise dashboard's block: share acknowledged, SOUT class distribution (two queries)."""
    scope = Enterprise.objects.filter(pk=enterprise.pk)
    return {
        "share": enterprise_shares(scope).get(enterprise.pk, AckShare()),
        "distribution": sout_distribution(Workplace.objects.filter(enterprise=enterprise)).get(enterprise.pk),
        "gaps": disease_gaps_by_enterprise(Workplace.objects.filter(enterprise=enterprise)).get(
            enterprise.pk, 0
        ),
    }


@register.inclusion_tag("documents/acknowledgements/_dashboard_region.html", takes_context=True)
def region_acknowledgement_and_sout(context, region):
    """The regional table: per enterprise the user sees, share acknowledged, SOUT class
    distribution and plan in force, a page of enterprises at a time (``apage``), with the region's
    total. A fixed number of queries: the page's enterprises, the region's totals."""
    request = context["request"]
    enterprises = Enterprise.objects.for_user(request.user).active().filter(region=region)
    page = Paginator(enterprises.order_by("short_name", "pk").only("pk", "short_name"), PER_PAGE).get_page(
        request.GET.get("apage")
    )
    ids = [enterprise.pk for enterprise in page]
    shares = enterprise_shares(enterprises.values("pk"))
    region_workplaces = Workplace.objects.filter(enterprise__in=enterprises.values("pk"))
    gaps = disease_gaps_by_enterprise(region_workplaces)
    distributions = sout_distribution(Workplace.objects.filter(enterprise__in=ids))
    plans = plans_current(ids)
    total = AckShare()
    for share in shares.values():
        total.add(share)
    rows = [
        {
            "enterprise": enterprise,
            "share": shares.get(enterprise.pk, AckShare()),
            "sout": distributions.get(enterprise.pk),
            "gaps": gaps.get(enterprise.pk, 0),
            "plan": plans.get(enterprise.pk),
        }
        for enterprise in page
    ]
    query = request.GET.copy()
    query.pop("apage", None)
    return {
        "rows": rows,
        "page": page,
        "page_url": f"?{query.urlencode()}&apage=" if query else "?apage=",
        "total": total,
        "total_sout": sout_distribution_total(region_workplaces),
        "total_gaps": sum(gaps.values()),
    }
