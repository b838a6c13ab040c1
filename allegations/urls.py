from django.urls import path

from . import transfer_views, views, work_views

app_name = "allegations"
urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/new/check/", views.referral_check, name="referral_check"),
    path("referrals/<str:reference>/", views.referral_detail, name="referral_detail"),
    path("referrals/<str:reference>/submitted/", views.referral_confirmation, name="referral_confirmation"),
    path("referrals/<str:reference>/assign/", views.referral_assign, name="referral_assign"),
    path("referrals/<str:reference>/discussion/", views.referral_discussion, name="referral_discussion"),
    path("referrals/<str:reference>/decision/", views.referral_decision, name="referral_decision"),
    path("referrals/<str:reference>/matches/", views.referral_match, name="referral_match"),
    path("referrals/<str:reference>/restriction/", views.referral_restrict, name="referral_restrict"),
    path("referrals/<str:reference>/deadlines/<int:pk>/waive/", work_views.deadline_waive, name="deadline_waive"),
    path("my-work/", work_views.my_work, name="my_work"),
    path("team/", work_views.team, name="team"),
    path("triage/", views.triage_queue, name="triage_queue"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:reference>/", views.case_detail, name="case_detail"),
    # The pages of a case (views.CASE_PAGES), before the catch-all of its actions below.
    path("cases/<str:reference>/strands/", views.case_strands, name="case_strands"),
    path("cases/<str:reference>/decisions/", views.case_decisions, name="case_decisions"),
    path("cases/<str:reference>/meetings/", views.case_meetings, name="case_meetings"),
    path("cases/<str:reference>/actions/", views.case_actions, name="case_actions"),
    path("cases/<str:reference>/documents/", views.case_documents, name="case_documents"),
    path("cases/<str:reference>/timeline/", views.case_timeline, name="case_timeline"),
    path("cases/<str:reference>/access/", views.case_access, name="case_access"),
    path("cases/<str:reference>/disagreements/resolve/", views.disagreement_resolve, name="disagreement_resolve"),
    path("cases/<str:reference>/strands/<str:kind>/", views.strand_edit, name="strand_edit"),
    path("cases/<str:reference>/parts/<str:part>/<int:pk>/audience/", views.part_audience, name="part_audience"),
    path("cases/<str:reference>/parts/<str:part>/<int:pk>/hold/", views.part_hold, name="part_hold"),
    path("cases/<str:reference>/sharing/<int:agency>/withdraw/", views.case_share_withdraw, name="case_share_withdraw"),
    path("cases/<str:reference>/<str:action>/", views.case_action, name="case_action"),
    path("referrals/<str:reference>/transfer/", transfer_views.transfer_send, name="transfer_send"),
    path("referrals/<str:reference>/transfer/acknowledgement/", transfer_views.transfer_acknowledge,
         name="transfer_acknowledge"),
]
