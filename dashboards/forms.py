from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from hazards.models import HazardGroup
from riskpilot.forms import ModelIdChoiceField

from . import okved
from .figures import DEFAULT_PERIOD, PERIODS, Filters, calendar_choices, period_for


class DashboardFilterForm(forms.Form):
    """The dashboards' filters, read from the query string (GET): a bad value is shown as an error
    beside its field and the default is used instead."""

    period = forms.ChoiceField(label=_("Period"), required=False)
    section = forms.ChoiceField(label=_("Industry (OKVED2 section)"), required=False)
    hazard_group = ModelIdChoiceField(
        label=_("Hazard group"),
        queryset=HazardGroup.objects.order_by("number"),
        required=False,
        empty_label=_("All groups"),
    )

    def __init__(self, *args, with_section: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(_("Rolling periods"), list(PERIODS.items())), *calendar_choices()]
        self.fields["section"].choices = [("", _("All industries"))] + [
            (section.letter, str(section)) for section in okved.SECTIONS
        ]
        fields = ["period", "section", "hazard_group"]
        if not with_section:
            del self.fields["section"]
            fields.remove("section")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "dashboard-filters mb-3"
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                *(Column(name, css_class="col-12 col-md") for name in fields),
                Column(
                    Submit("", _("Show"), css_class="btn-primary"),
                    css_class="col-12 col-md-auto d-flex align-items-end mb-3",
                ),
            )
        )

    def filters(self) -> Filters:
        """The chosen filters; defaults for anything missing or invalid."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # the fields that were valid; the others fall back to defaults
        section = data.get("section")
        return Filters(
            period=period_for(data.get("period") or DEFAULT_PERIOD),
            section=okved.BY_LETTER.get(section) if section else None,
            hazard_group=data.get("hazard_group"),
        )
