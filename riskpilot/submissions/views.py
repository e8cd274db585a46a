"""The create forms' side of submissions.services.create_once."""

from django.contrib import messages
from django.utils.translation import gettext as _

from . import services


def create_once(request, form, create):
    """(object, created) for a valid OnceFormMixin form: ``create`` runs only for the first
    submission of the form's key; a repeat gets the object the first one made, with a message
    saying so. A ValidationError (a stranger's key, or one from ``create``) goes to the caller."""
    obj, created = services.create_once(token=form.submission_token, user=request.user, create=create)
    if not created:
        messages.info(request, _("This form was already submitted and saved; it was not saved again."))
    return obj, created
