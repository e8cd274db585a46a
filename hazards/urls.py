from django.urls import path

from . import views

app_name = "hazards"

urlpatterns = [
    path("workplace/<int:workplace_pk>/add/", views.hazard_add, name="add"),
    path("<int:pk>/edit/", views.hazard_edit, name="edit"),
    path("<int:pk>/status/", views.hazard_set_status, name="set_status"),
    path("catalogue/search/", views.catalogue_search, name="catalogue_search"),
    path("catalogue/model-measures/", views.model_measures, name="model_measures"),
    path("enterprise/<int:enterprise_pk>/own-hazards/", views.own_event_add, name="own_add"),
]
