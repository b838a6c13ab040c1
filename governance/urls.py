from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("retention/", views.retention_list, name="retention"),
    path("retention/rules/", views.retention_rules, name="retention_rules"),
    path("retention/<str:reference>/delete/", views.deletion_request, name="deletion_request"),
    path("deletions/<int:pk>/", views.deletion_decide, name="deletion_decide"),
    path("subject-access/", views.sar_list, name="sar_list"),
    path("subject-access/<int:pk>/", views.sar_detail, name="sar_detail"),
    path("subject-access/<int:pk>/release/<str:fmt>/", views.sar_release, name="sar_release"),
]
