from django.urls import path

from . import views_reports, views_subscriptions

app_name = "reports"

urlpatterns = [
    # PDF reports.
    path("enterprises/<int:pk>/report/", views_reports.report_new, name="report_new"),
    path("regions/<str:code>/report/", views_reports.region_report_new, name="region_report_new"),
    path("report/", views_reports.federal_report_new, name="federal_report_new"),
    path("archive/", views_reports.report_list, name="report_list"),
    path("archive/<int:pk>/", views_reports.report_detail, name="report_detail"),
    path("archive/<int:pk>/download/", views_reports.report_download, name="report_download"),
    # Subscriptions: reports e-mailed every month or quarter.
    path("subscriptions/", views_subscriptions.subscription_list, name="subscription_list"),
    path("subscriptions/new/", views_subscriptions.subscription_new, name="subscription_new"),
    path(
        "subscriptions/<int:pk>/stop/",
        views_subscriptions.subscription_deactivate,
        name="subscription_deactivate",
    ),
]
