from django.urls import path

from population import views

urlpatterns = [
    path("", views.vision, name="population_vision"),
]
