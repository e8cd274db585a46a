"""Who is calling: a personal API token (``Authorization: Bearer <token>``) or, for same-site calls
from RiskPilot's own pages, the browser session with its CSRF check. Both give the same user, to
whom the same scoping applies as on the pages. The responses speak the caller's language."""

from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer, SessionAuth

from enterprises.access import get_for_user

from . import language
from .services import token_user


class TokenAuth(HttpBearer):
    """A live token of an active user; a revoked or unknown token, or an inactive user's, is refused."""

    def authenticate(self, request, token):
        user = token_user(token)
        if user is None:
            return None
        request.user = user
        language.activate(request, user)
        return user


class BrowserSession(SessionAuth):
    """The signed-in user of RiskPilot's pages; unsafe methods must pass the CSRF check."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and user.is_active:
            language.activate(request, user)
            return user
        return None


AUTH = [TokenAuth(), BrowserSession(csrf=True)]


class _WriteCheck:
    """After signing in: the caller may write, and the object the path names (``pk``) is one they
    may change — checked before the body is read, so that a read-only role gets 403 for an object
    it sees and anyone gets 404 for one outside their scope, whatever the body holds."""

    queryset = None

    def __call__(self, request):
        user = super().__call__(request)
        if user is None:
            return None
        pk = (request.resolver_match.kwargs if request.resolver_match else {}).get("pk")
        if pk is not None and self.queryset is not None:
            get_for_user(self.queryset, user, write=True, pk=pk)
        elif not user.can_write:
            raise PermissionDenied
        return user


def writer_auth(queryset=None) -> list:
    """The AUTH of an operation that changes data; ``queryset`` is where the path's ``pk`` lives."""
    token = type("TokenAuth", (_WriteCheck, TokenAuth), {"queryset": queryset})()
    session = type("BrowserSession", (_WriteCheck, BrowserSession), {"queryset": queryset})(csrf=True)
    return [token, session]
