from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from api.api import api

from . import views

admin.site.site_header = _("RiskPilot administration")
admin.site.site_title = _("RiskPilot")
admin.site.index_title = _("Risk registers of the pilot")

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    # One URL for every language: the API speaks Accept-Language or the caller's own language.
    path("api/v1/", api.urls),
]

# Russian is served without a prefix, English under /en/ (prefix_default_language=False makes
# unprefixed URLs always Russian, whatever the browser's Accept-Language says).
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("enterprises/", include("enterprises.urls")),
    path("settings/api-tokens/", include("api.urls")),
    path("register/", include("hazards.urls")),
    path("assessments/", include("assessments.urls")),
    path("reports/", include("dashboards.urls")),
    path("reports/", include("reports.urls")),
    path("documents/", include("documents.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
