"""A card's acknowledgements: who of its workers acknowledged this version and how, the printable
лист ознакомления (rendered by the pdf worker: documents.sheets), and the signatures recorded from
the signed paper sheet (with its scan). Workers' names are shown only to the enterprise's
officers and managers: everyone else gets 404 (enterprises.workers.personal_scope); reviewers see
the counts on the workplace page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from enterprises.workers import get_personal_for_user
from riskpilot.submissions.views import create_once

from ..acknowledgements import acknowledgements_record, card_workers, card_workplaces
from ..cards import card_is_stale
from ..forms_acknowledgements import PaperAcknowledgementForm
from ..models import CardAcknowledgement, RiskCard, SheetStatus
from ..sheets import SHEET_MAX_WORKERS, sheet_current, sheet_request


def get_card_for_user(user, pk) -> RiskCard:
    return get_personal_for_user(RiskCard.objects.select_related("workplace", "enterprise"), user, pk=pk)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def card_acknowledgements(request, pk):
    card = get_card_for_user(request.user, pk)
    workers = list(card_workers(card).order_by("surname", "first_name", "patronymic", "pk"))
    done = {
        ack.worker_id: ack
        for ack in CardAcknowledgement.objects.filter(card=card).select_related("recorded_by")
    }
    pending_ids = [w.pk for w in workers if w.pk not in done]
    pending = card_workers(card).filter(pk__in=pending_ids).order_by("surname", "first_name", "pk")
    posted = request.method == "POST"
    form = PaperAcknowledgementForm(
        request.POST if posted else None, request.FILES if posted else None, workers=pending
    )
    if posted and form.is_valid() and card.is_current:
        data = form.cleaned_data
        try:

            def record():
                created = acknowledgements_record(
                    card=card,
                    workers=list(data["workers"]),
                    acknowledged_on=data["acknowledged_on"],
                    recorded_by=request.user,
                    scan=data.get("scan"),
                )
                return created[0]

            _first, created = create_once(request, form, record)
        except ValidationError as error:
            _add_errors(form, error)
        except IndexError:
            form.add_error("workers", _("These workers have already acknowledged this card."))
        else:
            if created:
                messages.success(
                    request,
                    _("Acknowledgements recorded for %(count)s workers.") % {"count": len(data["workers"])},
                )
            return redirect("documents:acknowledgements", pk=card.pk)
    elif posted and not card.is_current:
        form.add_error(
            None, _("This card version is no longer current; record the signatures on the current one.")
        )
    for worker in workers:
        worker.acknowledgement = done.get(worker.pk)
    acknowledged = sum(1 for w in workers if w.acknowledgement)
    return render(
        request,
        "documents/acknowledgements/card_acknowledgements.html",
        {
            "card": card,
            "enterprise": card.enterprise,
            "workplace": card.workplace,
            "workplaces": card_workplaces(card),
            "workers": workers,
            "acknowledged": acknowledged,
            "percent": round(100 * acknowledged / len(workers)) if workers else None,
            "form": form,
            "stale": card.is_current and card_is_stale(card),
            "today": timezone.localdate(),
            "sheet_limit": SHEET_MAX_WORKERS,
            "sheet": sheet_current(card) if card.is_current else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def acknowledgement_sheet_status(request, pk):
    """The printable лист ознакомления of the card, rendered by the pdf worker: POST queues it (or
    finds the one already made for the same list); GET answers htmx's polling with the state,
    other requests go to the card's acknowledgement page, which shows it."""
    card = get_card_for_user(request.user, pk)
    error = None
    if request.method == "POST":
        try:
            sheet = sheet_request(card=card)
        except ValidationError as refused:
            sheet, error = None, " ".join(refused.messages)
    else:
        sheet = sheet_current(card) if card.is_current else None
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("documents:acknowledgements", pk=card.pk)
    return render(
        request,
        "documents/acknowledgements/_sheet_status.html",
        {"card": card, "sheet": sheet, "sheet_error": error},
    )


@login_required
@require_GET
def acknowledgement_sheet(request, pk):
    """The kept sheet of the card's list as it is now; while there is none, its state."""
    card = get_card_for_user(request.user, pk)
    sheet = sheet_current(card) if card.is_current else None
    if sheet is None or sheet.status != SheetStatus.READY:
        return redirect("documents:acknowledgements", pk=card.pk)
    return FileResponse(
        sheet.file.open("rb"),
        filename=f"acknowledgement-sheet-{card.pk}-v{card.version}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_GET
def acknowledgement_scan(request, pk):
    acknowledgement = get_personal_for_user(
        CardAcknowledgement.objects.select_related("card"), request.user, path="card__enterprise", pk=pk
    )
    if not acknowledgement.scan:
        raise Http404
    name = acknowledgement.scan.name.rsplit(".", 1)
    extension = name[1] if len(name) == 2 else "bin"
    response = FileResponse(
        acknowledgement.scan.open("rb"),
        as_attachment=True,
        filename=f"acknowledgement-sheet-{acknowledgement.card_id}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
