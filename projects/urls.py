from django.urls import path

from projects import views

urlpatterns = [
    path("", views.projects_list, name="projects_list"),
]
