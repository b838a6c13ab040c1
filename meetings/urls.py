from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("cases/<str:reference>/meetings/new/", views.meeting_schedule, name="meeting_schedule"),
    path("cases/<str:reference>/actions/new/", views.action_create, name="action_create"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/invitations/new/", views.invitation_create, name="invitation_create"),
    path("meetings/<int:pk>/invitations/send/", views.invitations_send, name="invitations_send"),
    path("meetings/<int:pk>/reschedule/", views.meeting_reschedule, name="meeting_reschedule"),
    path("meetings/<int:pk>/circulations/<int:circulation_pk>/unreached/", views.circulation_unreached,
         name="circulation_unreached"),
    path("meetings/<int:pk>/invitations/suggested/", views.invitation_suggested, name="invitation_suggested"),
    path("meetings/<int:pk>/invitations/<int:invitation_pk>/", views.invitation_edit, name="invitation_edit"),
    path("meetings/<int:pk>/invitations/<int:invitation_pk>/remove/", views.invitation_remove, name="invitation_remove"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/held/", views.meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("meetings/<int:pk>/minutes/approve/", views.minutes_approve, name="minutes_approve"),
    path("meetings/<int:pk>/minutes/circulate/", views.minutes_circulate, name="minutes_circulate"),
    path("meetings/<int:pk>/minutes/versions/<int:number>/", views.minutes_version, name="minutes_version"),
    path("meetings/<int:pk>/minutes/versions/<int:number>/pdfs/new/", views.pdf_request, name="pdf_request"),
    path("meetings/<int:pk>/minutes/versions/<int:number>/pdfs/mine/", views.pdf_request_mine, name="pdf_request_mine"),
    path("meetings/<int:pk>/minutes/versions/<int:number>/withhold/", views.withholding_create, name="withholding_create"),
    path("meetings/<int:pk>/pdfs/<int:pdf_id>/", views.pdf_detail, name="pdf_detail"),
    path("meetings/<int:pk>/pdfs/<int:pdf_id>/download/", views.pdf_download, name="pdf_download"),
    path("meetings/<int:pk>/invitations/<int:invitation_pk>/guest/", views.guest_grant, name="guest_grant"),
    path("meetings/<int:pk>/invitations/<int:invitation_pk>/guest/end/", views.guest_end, name="guest_end"),
    path("guest/<uidb64>/<token>/", views.guest_set_password, name="guest_set_password"),
    path("meetings/<int:pk>/actions/new/", views.meeting_action_create, name="meeting_action_create"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:pk>/done/", views.action_complete, name="action_complete"),
    path("actions/<int:pk>/cancel/", views.action_cancel, name="action_cancel"),
]
