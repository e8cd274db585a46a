"""Forms of the acknowledgement: the paper sheet recorded by the officer, and the kiosk's steps."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskpilot.forms import ModelIdMultipleChoiceField
from riskpilot.submissions.forms import OnceFormMixin


class WorkerChoiceField(ModelIdMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.full_name} · {obj.personnel_number}"


class PaperAcknowledgementForm(OnceFormMixin, forms.Form):
    workers = WorkerChoiceField(
        label=_("Workers who signed the sheet"),
        queryset=None,
        error_messages={"required": _("Choose the workers who signed.")},
    )
    acknowledged_on = forms.DateField(
        label=_("Signed on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    scan = forms.FileField(
        label=_("Scan of the signed sheet"),
        required=False,
        help_text=_("Optional: a photo (JPEG, PNG, WebP) or a PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = workers


class KioskNumberForm(forms.Form):
    personnel_number = forms.CharField(
        label=_("Your personnel number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True}),
    )


class KioskCloseForm(forms.Form):
    password = forms.CharField(
        label=_("Password of the officer who opened the kiosk"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
