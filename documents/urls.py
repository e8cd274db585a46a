"""The documents of the procedure (REFERENCE §8)."""

from django.urls import path

from .views import commission, rounds

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
]
