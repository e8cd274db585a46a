"""Formatting of the dashboards' figures in templates (see reports.formatting)."""

from django import template

from reports.formatting import figure_text

register = template.Library()


@register.filter
def figure(value, kind="count"):
    return figure_text(value, kind)


@register.filter
def percent(value):
    return figure_text(value, "share")
