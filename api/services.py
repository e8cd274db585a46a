"""Creating, revoking and checking personal API tokens."""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken

# Every secret starts with it, so a leaked one is recognisable (secret scanners, logs).
SECRET_PREFIX = "rp_"
PREFIX_LENGTH = 10
# Last use is written at most this often: a busy client must not write a row per request.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token and its secret, which is returned here once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if ApiToken.objects.live().filter(user=user, name=name).exists():
        raise ValidationError({"name": _("You already have a token with this name.")})
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:PREFIX_LENGTH], secret_hash=secret_hash(secret)
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def token_user(secret: str):
    """The active user a live token belongs to, else None. Notes the use (at most once a minute)."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    token = (
        ApiToken.objects.live()
        .select_related("user", "user__enterprise", "user__region")
        .filter(secret_hash=secret_hash(secret))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        # A plain UPDATE: neither history nor updated_at move for a use.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.user.api_token = token
    return token.user
