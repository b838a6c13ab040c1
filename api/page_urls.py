from django.urls import path

from . import pages

app_name = "api_clients"

urlpatterns = [
    path("", pages.client_list, name="list"),
    path("new/", pages.client_new, name="new"),
    path("<int:pk>/revoke/", pages.client_revoke, name="revoke"),
]
