"""The failed-deliveries list on the admin index (templates/admin/index.html)."""

from django import template

from reports.delivery import deliveries_failed

register = template.Library()

SHOWN = 10


@register.simple_tag
def failed_deliveries() -> dict:
    failed = deliveries_failed()
    return {"rows": list(failed[:SHOWN]), "total": failed.count()}
