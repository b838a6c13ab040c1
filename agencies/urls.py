"""The home page (sends each person to their work), the inbox and the partnership's deadline settings.

Included at the root without a namespace (config/urls.py): "home", "inbox", "notice_preferences", "settings_deadlines".
"""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/e-mail-choices/", views.notice_preferences, name="notice_preferences"),
    path("settings/deadlines/", views.settings_deadlines, name="settings_deadlines"),
]
