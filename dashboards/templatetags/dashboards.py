"""Formatting of the dashboards' figures in templates (see dashboards.formatting)."""

from django import template

from dashboards import definitions
from dashboards.formatting import figure_text

register = template.Library()


@register.filter
def figure(value, kind="count"):
    return figure_text(value, kind)


@register.filter
def percent(value):
    return figure_text(value, "share")


@register.simple_tag
def indicator(key):
    """The definition of a rate (dashboards.definitions), for its label and tooltip."""
    return {indicator.key: indicator for indicator in definitions.RATES}[key]


@register.simple_tag
def rate_definitions():
    return definitions.RATES


@register.simple_tag
def period_rules():
    return definitions.PERIOD_RULES
