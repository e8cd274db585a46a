from django.urls import path

from .views import cards, plans

app_name = "documents"

urlpatterns = [
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
]
