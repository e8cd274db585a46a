"""Personal API tokens: what programs (1С exchange, the ministry's systems, the field app) sign in
with. Only a SHA-256 of the secret is stored; the secret is shown once, when it is created."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from riskpilot.models import TimeStampedModel


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. 1C exchange.")
    )
    # The first characters of the secret, shown in lists so a user can tell tokens apart.
    prefix = models.CharField(_("prefix"), max_length=12)
    secret_hash = models.CharField(_("SHA-256 of the secret"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="apitoken_live_name_unique",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
