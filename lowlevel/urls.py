from django.urls import path

from . import views

app_name = "lowlevel"
urlpatterns = [
    path("", views.concern_list, name="concern_list"),
    path("new/", views.concern_create, name="concern_create"),
    path("open-referral/<str:key>/", views.referral_open, name="referral_open"),
    path("<int:pk>/", views.concern_detail, name="concern_detail"),
]
