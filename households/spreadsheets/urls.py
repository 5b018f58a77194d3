from django.urls import path

from . import views

app_name = "spreadsheets"

urlpatterns = [
    path("exports/", views.export_list, name="exports"),
    path("exports/start/", views.export_start, name="export_start"),
    path("exports/<int:pk>/progress/", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/columns/", views.import_columns, name="import_columns"),
    path("imports/<int:pk>/choices/", views.import_choices, name="import_choices"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/rejected.xlsx", views.import_rejected, name="import_rejected"),
]
