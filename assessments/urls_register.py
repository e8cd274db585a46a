from django.urls import path

from .views import register, register_copy, register_import

urlpatterns = [
    path("enterprise/<int:enterprise_pk>/", register.overview, name="overview"),
    path("enterprise/<int:enterprise_pk>/register/", register.register, name="register"),
    path("enterprise/<int:enterprise_pk>/import/", register_import.import_register_view, name="import"),
    path(
        "enterprise/<int:enterprise_pk>/import/<int:pk>/",
        register_import.import_status,
        name="import_status",
    ),
    path(
        "enterprise/<int:enterprise_pk>/import/<int:pk>/confirm/",
        register_import.import_confirm,
        name="import_confirm",
    ),
    path(
        "enterprise/<int:enterprise_pk>/import/template.xlsx",
        register_import.import_template,
        name="import_template",
    ),
    path("workplace/<int:pk>/", register.workplace, name="workplace"),
    path("workplace/<int:workplace_pk>/copy/", register_copy.hazard_copy, name="hazard_copy"),
]
