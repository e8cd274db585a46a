"""Forms of the workers of a workplace and of its SOUT data."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from riskpilot.forms import HiddenErrorsAboveMixin, VersionField
from riskpilot.submissions.forms import OnceFormMixin

from .models import SoutClass, SoutFactor, Worker, Workplace
from .workers import version_token

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WORKER_FIELDS = [
    "surname",
    "first_name",
    "patronymic",
    "personnel_number",
    "position",
    "employed_from",
    "employed_to",
]


class WorkerForm(OnceFormMixin, forms.ModelForm):
    class Meta:
        model = Worker
        fields = WORKER_FIELDS
        widgets = {"employed_from": DATE_INPUT, "employed_to": DATE_INPUT}
        help_texts = {"position": _("Empty: the workplace's position.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["personnel_number"].widget.attrs["autocomplete"] = "off"

    def validate_unique(self):
        # The service checks the personnel number within the workplace (the form has no workplace).
        pass


class WorkerEditForm(HiddenErrorsAboveMixin, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Worker
        fields = WORKER_FIELDS
        widgets = {"employed_from": DATE_INPUT, "employed_to": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version_token(self.instance.updated_at)

    def validate_unique(self):
        pass

    def _post_clean(self):
        # The ModelForm would copy the values onto the instance; the service changes it instead,
        # after checking the version against the stored row.
        pass


class WorkerEndForm(HiddenErrorsAboveMixin, forms.Form):
    version = VersionField()
    employed_to = forms.DateField(
        label=_("Last day at the workplace"), widget=DATE_INPUT, initial=timezone.localdate
    )


class SoutForm(HiddenErrorsAboveMixin, forms.Form):
    """The workplace's SOUT card: number, approval date, final class and a class per factor."""

    version = VersionField()
    sout_card_number = forms.CharField(label=capfirst(_("SOUT card number")), max_length=30, required=False)
    sout_date = forms.DateField(
        label=capfirst(_("SOUT report approved on")), required=False, widget=DATE_INPUT
    )
    sout_class = forms.ChoiceField(
        label=_("Final class"), choices=[("", "—"), *SoutClass.choices], required=False
    )

    def __init__(self, *args, workplace: Workplace, factor_classes: dict, **kwargs):
        initial = {
            "version": version_token(workplace.updated_at),
            "sout_card_number": workplace.sout_card_number,
            "sout_date": workplace.sout_date,
            "sout_class": workplace.sout_class,
            **{f"factor_{key}": value for key, value in factor_classes.items()},
        }
        super().__init__(*args, initial=initial, **kwargs)
        for value, label in SoutFactor.choices:
            self.fields[f"factor_{value}"] = forms.ChoiceField(
                label=capfirst(label), choices=[("", _("not assessed")), *SoutClass.choices], required=False
            )

    @property
    def factor_fields(self):
        return [self[f"factor_{value}"] for value in SoutFactor.values]

    def factors(self) -> dict[str, str]:
        return {value: self.cleaned_data.get(f"factor_{value}", "") for value in SoutFactor.values}
