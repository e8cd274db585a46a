"""While the worker kiosk is open in a session, that session reaches the kiosk of its card only
(documents/views/kiosk.py): a worker at the shared tablet cannot leave it for the register."""

from django.shortcuts import redirect

# The kiosk's own pages, and what any page needs (the language switch, logging out: logging out
# ends the officer's session, and the kiosk with it).
ALLOWED = {"documents:kiosk", "documents:kiosk_close", "set_language", "logout", "login"}


class KioskLockMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = getattr(request, "session", None) and request.session.get("kiosk")
        if not state or not getattr(request, "user", None) or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in ALLOWED and (
            not name.startswith("documents:") or view_kwargs.get("pk") == state.get("card")
        ):
            return None
        return redirect("documents:kiosk", pk=state["card"])
