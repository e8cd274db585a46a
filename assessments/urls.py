"""The register's pages live in two modules: browsing the register (overview, workplaces, the
register list, export and import) and the work on one row (assessment, measures, incidents,
reviews). Both share the ``assessments`` namespace."""

from . import urls_register, urls_risk

app_name = "assessments"

urlpatterns = urls_register.urlpatterns + urls_risk.urlpatterns
