from django.urls import path

from .views import register, register_copy, register_import, structure

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
    # The structure, edited from the structure page (enterprises:structure).
    path("enterprise/<int:enterprise_pk>/units/add/", structure.unit_add, name="unit_add"),
    path("unit/<int:pk>/edit/", structure.unit_edit, name="unit_edit"),
    path("unit/<int:pk>/archive/", structure.unit_archive, name="unit_archive"),
    path("enterprise/<int:enterprise_pk>/workplaces/add/", structure.workplace_add, name="workplace_add"),
    path("workplace/<int:pk>/edit/", structure.workplace_edit, name="workplace_edit"),
    path("workplace/<int:pk>/archive/", structure.workplace_archive, name="workplace_archive"),
]
