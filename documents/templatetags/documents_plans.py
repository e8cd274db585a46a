"""The enterprise dashboard's line on the action plan in force (the reports app shows it without
importing the documents app: only its template loads this)."""

from django import template

from ..plans import plan_completion, plan_current

register = template.Library()


@register.inclusion_tag("documents/plans/_dashboard_plan.html")
def current_plan(enterprise):
    plan = plan_current(enterprise)
    return {"enterprise": enterprise, "plan": plan, "completion": plan_completion(plan) if plan else None}
