"""The pager under a paged list (Previous · Page N of M · Next), the same on every page."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.inclusion_tag("_pager.html", takes_context=True)
def pager(context, page, *, param="page", url=None, anchor="", label=None, small=False):
    """Links to the pages around ``page``. They keep the request's other query parameters (the
    list's filters), or start from ``url``, a prefix ending in ``<param>=``; ``anchor`` brings
    the reader back to the list on a long page."""
    if url is None:
        query = context["request"].GET.copy()
        query.pop(param, None)
        encoded = query.urlencode()
        url = f"?{encoded}&{param}=" if encoded else f"?{param}="
    return {"page": page, "url": url, "anchor": anchor, "label": label or _("Pages"), "small": small}
