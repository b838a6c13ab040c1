from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_home, name="home"),
    path("sign-ins/", views.sign_in_events, name="sign_ins"),
    path("sign-ins.csv", views.sign_in_events_csv, name="sign_ins_csv"),
    path("locked/", views.locked_accounts, name="locked"),
]
