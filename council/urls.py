from django.urls import path

from council import views

urlpatterns = [
    path(
        "opinions/<str:kind>/<int:pk>/new/",
        views.opinion_create,
        name="opinion_create",
    ),
    path("opinions/<int:pk>/respond/", views.opinion_respond, name="opinion_respond"),
    path("review/", views.review_pack_index, name="review_pack_index"),
    path("review/<int:fiscal_year>/", views.review_pack, name="review_pack"),
    path("review/<int:fiscal_year>/xlsx/", views.review_pack_xlsx, name="review_pack_xlsx"),
]
