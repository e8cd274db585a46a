"""One-time keys of the create forms: a form posted twice (a double click, a reload, a retry on a
slow network) creates its object once."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskpilot.models import TimeStampedModel

# A key is kept long enough to answer any repeat of the same page; a form kept open longer and
# posted twice is rare enough not to be worth a growing table.
KEEP_FOR = datetime.timedelta(days=1)


class SubmissionTokenQuerySet(models.QuerySet):
    def expired(self):
        return self.filter(created_at__lt=timezone.now() - KEEP_FOR)


class SubmissionToken(TimeStampedModel):
    """A create form's key, written in the same transaction as the object it created: the unique
    key makes a second, concurrent submission wait for the first and then find its object."""

    token = models.UUIDField(_("key"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    # Empty only inside the transaction that creates the object.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("kind of object")
    )
    object_id = models.PositiveBigIntegerField(_("object"), null=True)
    created_object = GenericForeignKey("content_type", "object_id")

    objects = SubmissionTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")
        # Serves the pruning of expired keys (SubmissionTokenQuerySet.expired).
        indexes = [models.Index(fields=["created_at"], name="submission_created_idx")]

    def __str__(self):
        return str(self.token)
