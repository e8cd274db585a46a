from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        # Registers the tasks with Celery, so that the services can queue them by name without
        # importing the module that imports them.
        from . import tasks  # noqa: F401
