"""GOV.UK Notify's delivery receipts (outbox/views.py). Included at /notify/ (config/urls.py)."""

from django.urls import path

from . import views

app_name = "outbox"
urlpatterns = [
    path("receipts/", views.notify_receipt, name="notify_receipt"),
]
