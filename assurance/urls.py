from django.urls import path

from . import views

app_name = "assurance"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("new/", views.round_create, name="round_create"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("<int:pk>/questions/new/", views.question_edit, name="question_add"),
    path("<int:pk>/questions/<int:question_pk>/", views.question_edit, name="question_edit"),
    path("<int:pk>/questions/<int:question_pk>/remove/", views.question_remove, name="question_remove"),
    path("<int:pk>/agencies/", views.round_agencies, name="round_agencies"),
    path("<int:pk>/send/", views.round_send, name="round_send"),
    path("<int:pk>/close/", views.round_close, name="round_close"),
    path("<int:pk>/composite/", views.composite, name="composite"),
    path("<int:pk>/composite.csv", views.composite_csv, name="composite_csv"),
    path("<int:pk>/composite.xlsx", views.composite_xlsx, name="composite_xlsx"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_answer, name="request_answer"),
]
