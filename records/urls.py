from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("referrals/<str:reference>/documents/new/", views.referral_document_upload, name="referral_document_upload"),
    path("cases/<str:reference>/documents/new/", views.case_document_upload, name="case_document_upload"),
    path("meetings/<int:pk>/documents/new/", views.meeting_document_upload, name="meeting_document_upload"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/withdraw/", views.document_withdraw, name="document_withdraw"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export.csv", views.access_log_csv, name="access_log_csv"),
]
