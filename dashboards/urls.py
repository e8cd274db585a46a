from django.urls import path

from . import views

# Served under /reports/ beside the reports app's pages (riskpilot/urls.py), as they always were.
app_name = "dashboards"

urlpatterns = [
    path("", views.federal, name="federal"),
    path("export.xlsx", views.federal_export, name="federal_export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("refresh/", views.refresh, name="refresh"),
    path("regions/<str:code>/", views.region, name="region"),
    path("regions/<str:code>/export.xlsx", views.region_export, name="region_export"),
    path(
        "regions/<str:code>/acknowledgement-and-sout/",
        views.region_acknowledgement_sout,
        name="region_acknowledgement_sout",
    ),
    path("enterprises/<int:pk>/", views.enterprise, name="enterprise"),
]
