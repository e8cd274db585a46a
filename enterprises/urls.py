from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("<int:enterprise_pk>/structure/", views.structure, name="structure"),
    path("preferences/", views.preferences, name="preferences"),
]
