"""Rows deleted outright (assessments.models.DeletedRow: only a restored register export deletes)
as the tombstones of the lists' ``updated_since``."""

from assessments.models import DeletedRow, DeletedRowKind


def deletions(user, kind: DeletedRowKind, enterprise: int | None = None):
    """The deletions of this kind of row in the enterprises the caller sees. The lists' other
    filters cannot apply to a row that is gone, so a client may get tombstones for rows it never
    had: dropping a row one does not have is harmless."""
    rows = DeletedRow.objects.for_user(user).filter(kind=kind)
    if enterprise:
        rows = rows.filter(enterprise_id=enterprise)
    return rows
