from django.urls import path

from . import views, views_sout, views_workers

app_name = "enterprises"

urlpatterns = [
    path("<int:enterprise_pk>/structure/", views.structure, name="structure"),
    path("preferences/", views.preferences, name="preferences"),
    path("okpdtr/options/", views.okpdtr_options, name="okpdtr_options"),
    # Workers of a workplace (personal data: the enterprise's officers and managers only).
    path("workplace/<int:workplace_pk>/workers/", views_workers.workers, name="workers"),
    path("workplace/<int:workplace_pk>/workers/add/", views_workers.worker_add_view, name="worker_add"),
    path("worker/<int:pk>/edit/", views_workers.worker_edit, name="worker_edit"),
    path("worker/<int:pk>/end/", views_workers.worker_end_view, name="worker_end"),
    path(
        "workplace/<int:workplace_pk>/headcount-from-workers/",
        views_workers.headcount_from_workers,
        name="headcount_from_workers",
    ),
    path("<int:enterprise_pk>/workers/import/", views_workers.import_workers, name="workers_import"),
    path(
        "<int:enterprise_pk>/workers/template.xlsx",
        views_workers.workers_template_view,
        name="workers_template",
    ),
    path("<int:enterprise_pk>/workers/export.xlsx", views_workers.workers_export_view, name="workers_export"),
    # SOUT data.
    path("workplace/<int:workplace_pk>/sout/", views_sout.sout_edit, name="sout_edit"),
    path("<int:enterprise_pk>/sout/import/", views_sout.import_sout, name="sout_import"),
    path("<int:enterprise_pk>/sout/sheet.xlsx", views_sout.sout_sheet, name="sout_sheet"),
]
