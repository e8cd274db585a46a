"""An empty archive or subscription list says what to do next and offers the button to do it."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("russian_by_default")]


@pytest.mark.parametrize(
    ("persona", "order_url"),
    [
        ("officer_a", lambda e, r: reverse("reports:report_new", args=[e.pk])),
        ("manager_a", lambda e, r: reverse("reports:report_new", args=[e.pk])),
        ("reviewer_region", lambda e, r: reverse("reports:region_report_new", args=[r.code])),
        ("federal", lambda e, r: reverse("reports:federal_report_new")),
    ],
)
def test_the_empty_archive_offers_to_order_the_report_of_what_the_user_oversees(
    client, request, persona, order_url, enterprise_a, region_a
):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("reports:report_list")).content.decode()
    assert 'id="report-archive-empty"' in page
    assert f'href="{order_url(enterprise_a, region_a)}"' in page
    assert "Заказать отчёт" in page


def test_an_officer_is_told_who_subscribes_and_where_to_order(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("reports:subscription_list")).content.decode()
    assert "руководитель" in page
    assert reverse("reports:subscription_new") not in page
    assert reverse("reports:report_list") in page


def test_a_manager_is_offered_to_subscribe(client, manager_a):
    client.force_login(manager_a)
    page = client.get(reverse("reports:subscription_list")).content.decode()
    assert 'id="subscriptions-empty"' in page
    assert reverse("reports:subscription_new") in page
