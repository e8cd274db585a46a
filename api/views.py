"""The settings page of a user's personal API tokens: create (the secret shown once), list with
last use, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from riskpilot.submissions.views import create_once

from . import services
from .forms import TokenForm
from .models import ApiToken

# The new secret waits in the session for the one page that shows it (then it is gone), so that
# creating a token ends in a redirect like every other form.
NEW_SECRET = "api_token_secret"


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = {}

        def create():
            token, made["secret"] = services.token_create(user=request.user, name=form.cleaned_data["name"])
            return token

        try:
            _token, created = create_once(request, form, create)
        except ValidationError as error:
            form.add_error("name" if hasattr(error, "error_dict") else None, error.messages)
        else:
            if created:
                request.session[NEW_SECRET] = made["secret"]
            return redirect("api_tokens:list")
    secret = request.session.pop(NEW_SECRET, None) if request.method == "GET" else None
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    return render(request, "api/token_list.html", {"form": form, "tokens": tokens, "secret": secret})


@login_required
@require_POST
def token_revoke(request, pk):
    # Only the user's own tokens: anyone else's is 404.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
