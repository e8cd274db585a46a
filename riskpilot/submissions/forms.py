"""The one-time key every create form carries."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from riskpilot.forms import HiddenErrorsAboveMixin


class OnceFormMixin(HiddenErrorsAboveMixin):
    """Adds the hidden one-time key of the submission (submissions.services.create_once). A new
    key is drawn each time the empty form is shown; a bound form keeps the posted one, so a
    corrected form is still the same submission. The key is kept out of cleaned_data (views pass
    that to services as it is): it is ``submission_token``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission"] = forms.UUIDField(
            widget=forms.HiddenInput,
            initial=uuid.uuid4,
            error_messages={
                "required": _("The form lacks its one-time key. Reload the page and submit the form again."),
                "invalid": _(
                    "The form's one-time key is damaged. Reload the page and submit the form again."
                ),
            },
        )

    def full_clean(self):
        super().full_clean()
        self.submission_token = self.cleaned_data.pop("submission", None) if self.is_bound else None
