"""Who sees and changes what — the one place where RiskPilot's access rules live.

Safety officers and enterprise managers work on one enterprise; a regional reviewer reads every
enterprise of one region; a federal reviewer reads everything; an administrator reads and writes
everything. Every scoped model's QuerySet has ``for_user(user)`` built on ``enterprise_scope``, and
every view fetches single objects through ``get_for_user`` (404 for rows outside the user's scope,
403 for writes by read-only roles).
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404

NOTHING = Q(pk__in=[])


def enterprise_scope(user, path: str = "") -> Q:
    """A filter on a model whose enterprise is reached through ``path`` ('' for Enterprise)."""
    if not (user and user.is_authenticated and user.is_active):
        return NOTHING
    if user.sees_everything:
        return Q()
    enterprise_id = f"{path}_id" if path else "pk"
    region_id = f"{path}__region_id" if path else "region_id"
    if user.is_regional_reviewer:
        return Q(**{region_id: user.region_id}) if user.region_id else NOTHING
    if user.enterprise_id:
        return Q(**{enterprise_id: user.enterprise_id})
    return NOTHING


class ScopedQuerySet(models.QuerySet):
    """Base for the QuerySets of every model that belongs to an enterprise."""

    enterprise_path = "enterprise"

    def for_user(self, user):
        return self.filter(enterprise_scope(user, self.enterprise_path))


def get_for_user(queryset, user, *, write: bool = False, **lookup):
    """Fetch one object the user may see (else 404); with ``write``, one they may also change
    (else 403). Read-only roles get 403 only for objects they can see, so ids outside their
    scope never leak through a different status code."""
    obj = get_object_or_404(queryset.for_user(user), **lookup)
    if write and not user.can_write:
        raise PermissionDenied
    return obj
