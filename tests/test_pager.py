"""The pager under every paged list (riskpilot.templatetags.pager): the links keep the list's
filters, change only their own parameter and bring the reader back to the list."""

from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation


def _drawn(path: str, number: int, tag_arguments: str = "") -> str:
    request = RequestFactory().get(path)
    page = Paginator(range(120), 50).get_page(number)
    template = Template("{% load pager %}{% pager page " + tag_arguments + " %}")
    with translation.override("en"):
        return template.render(Context({"request": request, "page": page}))


def test_links_keep_the_filters_and_change_the_page():
    html = _drawn("/register/?level=4&q=%D0%BF%D0%B0%D0%B4%D0%B5%D0%BD%D0%B8%D0%B5&page=2", 2)
    assert 'href="?level=4&amp;q=%D0%BF%D0%B0%D0%B4%D0%B5%D0%BD%D0%B8%D0%B5&amp;page=1"' in html
    assert 'href="?level=4&amp;q=%D0%BF%D0%B0%D0%B4%D0%B5%D0%BD%D0%B8%D0%B5&amp;page=3"' in html
    assert "Page 2 of 3" in html and 'aria-label="Pages"' in html


def test_first_and_last_pages_have_no_link_beyond_them():
    first, last = _drawn("/list/", 1), _drawn("/list/", 3)
    assert "Previous" not in first and 'href="?page=2"' in first
    assert "Next" not in last and 'href="?page=2"' in last


def test_a_parameter_of_its_own_an_anchor_and_a_label():
    html = _drawn(
        "/dashboard/?period=6m&wpage=2&page=4",
        2,
        'param="wpage" anchor="#workplaces" label="Workplaces" small=True',
    )
    # The other list's page (page=4) is kept: two lists page independently on one page.
    assert 'href="?period=6m&amp;page=4&amp;wpage=3#workplaces"' in html
    assert 'aria-label="Workplaces"' in html and "pagination-sm" in html


def test_a_given_address_is_used_as_it_is():
    # The regional table is drawn by a request of its own (htmx): its links lead to the dashboard.
    request = RequestFactory().get("/fragment/?apage=1")
    page = Paginator(range(120), 50).get_page(1)
    html = Template('{% load pager %}{% pager page param="apage" url=page_url %}').render(
        Context({"request": request, "page": page, "page_url": "/dashboard/?period=6m&apage="})
    )
    assert 'href="/dashboard/?period=6m&amp;apage=2"' in html


def test_one_page_draws_no_pager():
    request = RequestFactory().get("/")
    page = Paginator(range(10), 50).get_page(1)
    html = Template("{% load pager %}{% pager page %}").render(Context({"request": request, "page": page}))
    assert html.strip() == ""


def test_russian_words():
    request = RequestFactory().get("/")
    page = Paginator(range(120), 50).get_page(2)
    with translation.override("ru"):
        html = Template("{% load pager %}{% pager page %}").render(
            Context({"request": request, "page": page})
        )
    assert "Предыдущая" in html and "Следующая" in html
    assert "Страница 2 из 3" in html
