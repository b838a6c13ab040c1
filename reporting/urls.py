from django.urls import path

from .dashboard_views import dashboard_view

from . import annual_views, views

app_name = "reporting"
urlpatterns = [
    path("figures/", views.figures, name="figures"),
    path("dashboard/", dashboard_view, name="dashboard"),
    path("annual/", annual_views.annual, name="annual"),
    path("annual/report.csv", annual_views.annual_csv, name="annual_csv"),
    path("annual/report.xlsx", annual_views.annual_xlsx, name="annual_xlsx"),
    path("annual/pdfs/new/", annual_views.annual_pdf_request, name="annual_pdf_request"),
    path("annual/pdfs/<int:pk>/", annual_views.annual_pdf, name="annual_pdf"),
    path("annual/pdfs/<int:pk>/download/", annual_views.annual_pdf_download, name="annual_pdf_download"),
]
