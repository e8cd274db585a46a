"""The documents of the procedure (REFERENCE §8)."""

from django.urls import path

from .views import acknowledgements, cards, commission, kiosk, plans, rounds

app_name = "documents"

urlpatterns = [
    # The commission and its sign-off of assessment rounds.
    path("enterprise/<int:enterprise_pk>/commission/", commission.commission_list, name="commission_list"),
    path("enterprise/<int:enterprise_pk>/commission/new/", commission.commission_add, name="commission_add"),
    path("commission/<int:pk>/edit/", commission.commission_edit, name="commission_edit"),
    path("enterprise/<int:enterprise_pk>/rounds/", rounds.round_list, name="round_list"),
    path("enterprise/<int:enterprise_pk>/rounds/new/", rounds.round_add, name="round_add"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/edit/", rounds.round_edit, name="round_edit"),
    path("rounds/<int:pk>/send/", rounds.round_send, name="round_send"),
    path("rounds/<int:pk>/sign/", rounds.round_sign, name="round_sign"),
    path("rounds/<int:pk>/paper/", rounds.round_paper, name="round_paper"),
    path("rounds/<int:pk>/approve/", rounds.round_approve, name="round_approve"),
    path("to-sign/", rounds.to_sign, name="to_sign"),
    path("to-approve/", rounds.to_approve, name="to_approve"),
    # The risk assessment cards
    path("workplace/<int:workplace_pk>/card/", cards.card_page, name="card"),
    path("workplace/<int:workplace_pk>/card/issue/", cards.card_issue_view, name="card_issue"),
    path("card/<int:pk>/pdf/", cards.card_pdf, name="card_pdf"),
    path("card/<int:pk>/xlsx/", cards.card_xlsx_view, name="card_xlsx"),
    path("enterprise/<int:enterprise_pk>/cards/", cards.card_list, name="cards"),
    path("enterprise/<int:enterprise_pk>/cards/set/", cards.bundle_new, name="bundle_new"),
    path("cards/set/<int:pk>/", cards.bundle_status, name="bundle"),
    path("cards/set/<int:pk>/pdf/", cards.bundle_download, name="bundle_pdf"),
    # The action plan
    path("enterprise/<int:enterprise_pk>/plans/", plans.plan_list, name="plans"),
    path("enterprise/<int:enterprise_pk>/plans/new/", plans.plan_new, name="plan_new"),
    path("plan/<int:pk>/", plans.plan_detail, name="plan"),
    path("plan/<int:pk>/approve/", plans.plan_approve_view, name="plan_approve"),
    path("plan/<int:pk>/pdf/", plans.plan_pdf, name="plan_pdf"),
    path("plan/<int:pk>/xlsx/", plans.plan_xlsx_view, name="plan_xlsx"),
    # Workers' acknowledgement of a card version (personal data: the enterprise's officers and
    # managers only).
    path("card/<int:pk>/acknowledgements/", acknowledgements.card_acknowledgements, name="acknowledgements"),
    path(
        "card/<int:pk>/acknowledgement-sheet/",
        acknowledgements.acknowledgement_sheet_status,
        name="acknowledgement_sheet_status",
    ),
    path(
        "card/<int:pk>/acknowledgement-sheet.pdf",
        acknowledgements.acknowledgement_sheet,
        name="acknowledgement_sheet",
    ),
    path(
        "acknowledgement/<int:pk>/scan/", acknowledgements.acknowledgement_scan, name="acknowledgement_scan"
    ),
    path("card/<int:pk>/kiosk/open/", kiosk.kiosk_open, name="kiosk_open"),
    path("card/<int:pk>/kiosk/", kiosk.kiosk, name="kiosk"),
    path("card/<int:pk>/kiosk/close/", kiosk.kiosk_close, name="kiosk_close"),
]
