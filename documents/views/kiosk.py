"""The worker kiosk: a shared tablet on which workers confirm, one after another, that they were
informed of the risks of their workplace (TK 214), without an account of their own.

How it is kept safe:
- The safety officer (or manager) signs in on the tablet and opens the kiosk for one card. The
  kiosk is bound to that login's session, to that card and to its enterprise: while it is open,
  the session reaches the kiosk pages of that card only (KioskLockMiddleware sends every other
  page back to it), so a worker cannot browse the register or another card.
- A worker types their personnel number; only the workers at the card's workplaces today are
  found. The kiosk never lists workers: the only name it shows is the worker's own surname and
  initials, after their number, so that they can tell it is them. An unknown number and a number
  of another workplace get the same answer.
- Wrong numbers are limited: after KIOSK_MAX_WRONG within KIOSK_WRONG_WINDOW the kiosk refuses
  numbers until the window passes or the officer closes and opens it again.
- The confirmation carries a signed, short-lived token of (card, worker, session), so a
  confirmation cannot be replayed for another worker, card or tablet.
- Closing the kiosk asks for the officer's password."""

import time

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from enterprises.models import Worker

from ..acknowledgements import KioskError, card_risks, card_workplaces, kiosk_acknowledge, kiosk_find_worker
from ..forms_acknowledgements import KioskCloseForm, KioskNumberForm
from .acknowledgements import get_card_for_user

SESSION_KEY = "kiosk"
KIOSK_MAX_WRONG = 5
KIOSK_WRONG_WINDOW = 10 * 60  # seconds
CONFIRM_MAX_AGE = 10 * 60  # seconds a worker has to read the card and confirm
SIGNING_SALT = "documents.kiosk.confirm"


def kiosk_state(request) -> dict | None:
    return request.session.get(SESSION_KEY)


def _bound_to(request, card) -> bool:
    state = kiosk_state(request)
    return bool(
        state
        and state.get("card") == card.pk
        and state.get("enterprise") == card.enterprise_id
        and state.get("user") == request.user.pk
    )


def _recent_wrong(state: dict) -> list[float]:
    now = time.time()
    return [moment for moment in state.get("wrong", []) if now - moment < KIOSK_WRONG_WINDOW]


@login_required
@require_POST
def kiosk_open(request, pk):
    card = get_card_for_user(request.user, pk)
    if not card.is_current:
        messages.error(request, _("Only the current version of a card can be acknowledged."))
        return redirect("documents:acknowledgements", pk=card.pk)
    request.session[SESSION_KEY] = {
        "card": card.pk,
        "enterprise": card.enterprise_id,
        "user": request.user.pk,
        "wrong": [],
    }
    return redirect("documents:kiosk", pk=card.pk)


def _render(request, card, template, context=None, status=200):
    return render(
        request,
        f"documents/acknowledgements/{template}",
        {"card": card, "workplaces": card_workplaces(card), **(context or {})},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def kiosk(request, pk):
    card = get_card_for_user(request.user, pk)
    if not _bound_to(request, card):
        # Not opened on this tablet for this card: the officer opens it from the card's page.
        return _render(request, card, "kiosk_closed.html")
    state = kiosk_state(request)
    if request.method == "GET":
        return _render(request, card, "kiosk_number.html", {"form": KioskNumberForm()})

    if "confirm" in request.POST:
        return _confirm(request, card)

    form = KioskNumberForm(request.POST)
    wrong = _recent_wrong(state)
    if len(wrong) >= KIOSK_MAX_WRONG:
        return _render(
            request, card, "kiosk_number.html", {"form": KioskNumberForm(), "locked": True}, status=429
        )
    if not form.is_valid():
        return _render(request, card, "kiosk_number.html", {"form": form})
    try:
        worker = kiosk_find_worker(card=card, personnel_number=form.cleaned_data["personnel_number"])
    except KioskError as error:
        state["wrong"] = [*wrong, time.time()]
        request.session.modified = True
        locked = len(state["wrong"]) >= KIOSK_MAX_WRONG
        return _render(
            request,
            card,
            "kiosk_number.html",
            {"form": KioskNumberForm(), "error": error.messages[0], "locked": locked},
            status=429 if locked else 200,
        )
    token = signing.dumps(
        {"card": card.pk, "worker": worker.pk, "session": request.session.session_key}, salt=SIGNING_SALT
    )
    already = worker.acknowledgements.filter(card=card).exists()
    return _render(
        request,
        card,
        "kiosk_card.html",
        {"worker_name": worker.short_name, "token": token, "risks": card_risks(card), "already": already},
    )


def _confirm(request, card):
    try:
        data = signing.loads(request.POST.get("token", ""), salt=SIGNING_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        data = {}
    if data.get("card") != card.pk or data.get("session") != request.session.session_key:
        error = _("The confirmation took too long or was damaged. Enter your personnel number again.")
        return _render(request, card, "kiosk_number.html", {"form": KioskNumberForm(), "error": error})
    worker = Worker.objects.filter(pk=data.get("worker"), enterprise_id=card.enterprise_id).first()
    try:
        if worker is None:
            raise KioskError(_("This worker is not on the list of this workplace."), code="unknown")
        _ack, created = kiosk_acknowledge(card=card, worker=worker, officer=request.user)
    except KioskError as error:
        return _render(
            request, card, "kiosk_number.html", {"form": KioskNumberForm(), "error": error.messages[0]}
        )
    return _render(request, card, "kiosk_done.html", {"worker_name": worker.short_name, "created": created})


@login_required
@require_http_methods(["GET", "POST"])
def kiosk_close(request, pk):
    """Closing the kiosk hands the tablet back to the officer: their password is asked."""
    card = get_card_for_user(request.user, pk)
    form = KioskCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=request.user.get_username(), password=form.cleaned_data["password"]
        )
        if user is not None and user.pk == request.user.pk:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("The kiosk is closed."))
            return redirect("documents:acknowledgements", pk=card.pk)
        form.add_error("password", _("The password is not right."))
    return _render(request, card, "kiosk_close.html", {"form": form, "bound": _bound_to(request, card)})
