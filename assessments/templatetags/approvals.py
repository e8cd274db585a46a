"""The menu's count of the approval queue, for the people who decide on it."""

from django import template

from enterprises.models import Role

from ..models import RiskAssessment

register = template.Library()


@register.simple_tag
def approval_queue_count(user) -> int | None:
    """How many drafts of the manager's enterprise wait for approval (one query, served by the
    assessment_waiting index); None for everyone else, who gets no menu item."""
    if not (user.is_authenticated and user.role == Role.MANAGER and user.enterprise_id):
        return None
    return (
        RiskAssessment.objects.filter(hazard__enterprise_id=user.enterprise_id).waiting_for_approval().count()
    )
