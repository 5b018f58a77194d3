from django.urls import path

from . import campaign_views, export_views, import_views, views

app_name = "households"

urlpatterns = [
    path("areas/", views.area_list, name="areas"),
    path("communities/<int:pk>/", views.community_overview, name="community"),
    path("compounds/<int:pk>/", views.compound_overview, name="compound"),
    path("buildings/<int:pk>/", views.building_detail, name="building"),
    path("buildings/<int:building_pk>/households/new/", views.household_create, name="create"),
    path("households/<int:pk>/", views.household_detail, name="detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="edit"),
    path("households/<int:household_pk>/residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/move/", views.resident_move, name="resident_move"),
    path("residents/<int:pk>/presence/", views.resident_presence, name="resident_presence"),
    path("residents/<int:pk>/reveal/<str:field_name>/", views.resident_reveal, name="resident_reveal"),
    path("<str:kind>/<int:pk>/control-level/", views.control_level, name="control_level"),
    path("search/", views.search, name="search"),
    path("key-population/", views.key_population, name="key_population"),
    path("exports/", export_views.export_list, name="exports"),
    path("exports/start/", export_views.export_start, name="export_start"),
    path("exports/<int:pk>/progress/", export_views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("campaigns/", campaign_views.campaign_list, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/send/", campaign_views.campaign_send, name="campaign_send"),
    path("campaigns/<int:pk>/progress/", campaign_views.campaign_progress, name="campaign_progress"),
    path("campaigns/<int:pk>/export.xlsx", campaign_views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/calls/", campaign_views.call_list, name="call_list"),
    path("recipients/<int:pk>/outcome/", campaign_views.recipient_outcome, name="recipient_outcome"),
    path("sms/receipts/<str:backend>/<str:token>/", campaign_views.sms_receipts, name="sms_receipts"),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/<int:pk>/", import_views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/columns/", import_views.import_columns, name="import_columns"),
    path("imports/<int:pk>/choices/", import_views.import_choices, name="import_choices"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/rejected.xlsx", import_views.import_rejected, name="import_rejected"),
]
