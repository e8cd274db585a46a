"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError

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
