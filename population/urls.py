from django.urls import path

from population import views

urlpatterns = [
    path("", views.vision, name="population_vision"),
    path("entry/", views.entry, name="population_entry"),
    path("upload/", views.upload, name="population_upload"),
    path("template.xlsx", views.template, name="population_template"),
]
