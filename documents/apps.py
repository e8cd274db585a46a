from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = _("Documents of the procedure")

    def ready(self):
        # The round notices' task lives beside the sign-off it belongs to; imported here so that
        # the worker registers it (autodiscovery looks only at documents.tasks).
        from . import rounds  # noqa: F401
