"""Create an object once per form submission, whatever the number of times the form is posted."""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .models import SubmissionToken


def _used(token, user) -> models.Model:
    """The object an earlier submission of ``token`` created."""
    used = SubmissionToken.objects.select_related("content_type").filter(token=token).first()
    if used is None or used.user_id != user.pk or used.created_object is None:
        # Someone else's key, or one whose object is gone: never show a stranger's object.
        raise ValidationError(
            _("This form was already submitted. Reload the page to fill in a new one."), code="used"
        )
    return used.created_object


def create_once(*, token, user, create: Callable[[], models.Model]) -> tuple[models.Model, bool]:
    """(the object ``create`` made, True), or (the object an earlier submission with the same
    ``token`` made, False) without calling ``create``. A ValidationError from ``create`` leaves the
    key unused, so the corrected form can be posted again with it."""
    with transaction.atomic():
        try:
            # The key is claimed before the work: a concurrent post with the same key waits here on
            # the unique index until the first commits, then fails and finds the first's object.
            with transaction.atomic():
                claim = SubmissionToken.objects.create(token=token, user=user)
        except IntegrityError:
            return _used(token, user), False
        created = create()
        claim.content_type = ContentType.objects.get_for_model(created)
        claim.object_id = created.pk
        claim.save(update_fields=["content_type", "object_id", "updated_at"])
        # Old keys go once this commits, outside the object's transaction: pruning never holds
        # up or fails a submission (robust: an error here is logged, not raised).
        transaction.on_commit(_prune, robust=True)
    return created, True


def _prune() -> None:
    SubmissionToken.objects.expired().delete()
