"""The API checks input with the pages' own forms, so that a rule added to a form (a due date
not in the past, a near miss naming its event…) holds for programs too. The body's shape is
checked first by the schema; the form then applies the rules, and its errors come back under
the API's field names."""

from django.core.exceptions import ValidationError


def form_data(payload: dict) -> dict:
    """A form's data from the API's values: absent choices as "", the rest as they are (Django's
    fields accept dates, numbers and lists of ids)."""
    return {name: "" if value is None else value for name, value in payload.items()}


def cleaned(form, renamed: dict[str, str] | None = None) -> dict:
    """The form's cleaned data, or a ValidationError naming the API's fields (``renamed`` maps a
    form field to the API's name, e.g. assignee → assignee_id)."""
    if form.is_valid():
        return form.cleaned_data
    renamed = renamed or {}
    raise ValidationError({renamed.get(name, name): errors for name, errors in form.errors.as_data().items()})
