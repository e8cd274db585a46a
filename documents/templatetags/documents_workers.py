"""Workers' acknowledgement and SOUT data on pages of other apps (the workplace page and the
register overview of assessments, the dashboards of reports). Template tags keep the apps' imports
one-way: those apps' templates load this library, their Python never imports documents.

Each tag runs a fixed number of queries, whatever the number of workplaces or workers. Names are
never shown here: counts and percentages only, with links to the named lists for the enterprise's
officers and managers."""

from django import template
from django.utils import timezone

from documents.plans import plans_current
from enterprises.models import Enterprise, Workplace
from enterprises.ordering import workplace_sort_key
from enterprises.sout import SoutState, sout_distribution, total_distribution
from enterprises.workers import sees_personal_data

from ..acknowledgements import AckShare, current_cards, enterprise_shares, workplace_shares
from ..sout_findings import disease_gaps_by_enterprise, sout_findings

register = template.Library()


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
    """The regional table: per enterprise the user sees, share acknowledged and SOUT class
    distribution, with the region's total (three queries)."""
    user = context["request"].user
    enterprises = list(
        Enterprise.objects.for_user(user).active().filter(region=region).order_by("short_name")
    )
    shares = enterprise_shares([e.pk for e in enterprises])
    scope = Workplace.objects.filter(enterprise__in=[e.pk for e in enterprises])
    distributions = sout_distribution(scope)
    gaps = disease_gaps_by_enterprise(scope)
    plans = plans_current([e.pk for e in enterprises])
    rows = []
    total = AckShare()
    for enterprise in enterprises:
        share = shares.get(enterprise.pk, AckShare())
        total.add(share)
        rows.append(
            {
                "enterprise": enterprise,
                "share": share,
                "sout": distributions.get(enterprise.pk),
                "gaps": gaps.get(enterprise.pk, 0),
                "plan": plans.get(enterprise.pk),
            }
        )
    return {
        "rows": rows,
        "total": total,
        "total_sout": total_distribution(list(distributions.values())),
        "total_gaps": sum(gaps.values()),
    }
