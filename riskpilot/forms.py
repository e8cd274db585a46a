"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

# Primary keys are 64-bit: a larger number cannot name a row, and SQLite refuses to bind it.
_MAX_PK = 2**63 - 1


def _is_pk(value) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and int(text) <= _MAX_PK


class ModelIdChoiceField(forms.ModelChoiceField):
    """A model choice whose submitted value must look like a primary key before any query."""

    def to_python(self, value):
        if value not in self.empty_values and not _is_pk(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelIdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The same for several choices: junk or out-of-range ids are invalid choices, not errors."""

    def _check_values(self, value):
        for pk in value:
            if not _is_pk(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class HiddenErrorsAboveMixin:
    """Errors of hidden fields (the tokens a page carries) shown above the form, where templates
    show non-field errors: there is nothing beside which to show them."""

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            errors = self._errors.pop(name, None) if field.widget.is_hidden else None
            if errors:
                self._errors.setdefault(
                    NON_FIELD_ERRORS, self.error_class(error_class="nonfield", renderer=self.renderer)
                ).extend(errors)


class VersionField(forms.CharField):
    """The hidden version token of a form that changes an existing object (optimistic locking,
    hazards.services.check_version). Required: a post without it could not tell whether someone
    else changed the object meanwhile, and would overwrite their change unseen."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "error_messages",
            {
                "required": _(
                    "The form lacks its version token, so it cannot tell whether someone else changed "
                    "this meanwhile. Reload the page and make your change again."
                )
            },
        )
        super().__init__(**kwargs)
