from django.urls import path

from . import views

app_name = "providers"
urlpatterns = [
    path("", views.concern_list, name="concern_list"),
    path("new/", views.concern_create, name="concern_create"),
    path("register/", views.register, name="register"),
    path("register/register.csv", views.register_csv, name="register_csv"),
    path("register/register.xlsx", views.register_xlsx, name="register_xlsx"),
    path("plan-items/<int:pk>/", views.plan_item_progress, name="plan_item_progress"),
    path("<str:reference>/", views.concern_detail, name="concern_detail"),
    path("<str:reference>/decide/", views.concern_decide, name="concern_decide"),
    path("<str:reference>/link/", views.concern_link, name="concern_link"),
    path("<str:reference>/meetings/new/", views.concern_meeting_schedule, name="concern_meeting_schedule"),
    path("<str:reference>/admissions/new/", views.suspension_create, name="suspension_create"),
    path("<str:reference>/admissions/<int:pk>/review/", views.suspension_review, name="suspension_review"),
    path("<str:reference>/admissions/<int:pk>/end/", views.suspension_end, name="suspension_end"),
    path("<str:reference>/plan/new/", views.plan_item_create, name="plan_item_create"),
    path("<str:reference>/plan/<int:pk>/", views.plan_item_update, name="plan_item_update"),
    path("<str:reference>/plan/<int:pk>/carry/", views.plan_item_carry, name="plan_item_carry"),
    path("<str:reference>/reviews/", views.review_schedule, name="review_schedule"),
    path("<str:reference>/meetings/<int:meeting_pk>/letter/", views.letter_draft, name="letter_draft"),
    path("<str:reference>/letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path("<str:reference>/letters/<int:pk>/sent/", views.letter_sent, name="letter_sent"),
    path("<str:reference>/letters/<int:pk>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("<str:reference>/contacts/new/", views.contact_create, name="contact_create"),
    path("<str:reference>/communication/", views.communication_plan, name="communication_plan"),
    path("<str:reference>/escalations/new/", views.escalation_create, name="escalation_create"),
    path("<str:reference>/conclude/", views.concern_conclude, name="concern_conclude"),
]
