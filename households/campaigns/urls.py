from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_create, name="create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:pk>/send/", views.campaign_send, name="send"),
    path("campaigns/<int:pk>/progress/", views.campaign_progress, name="progress"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="export"),
    path("campaigns/<int:pk>/calls/", views.call_list, name="calls"),
    path("recipients/<int:pk>/outcome/", views.recipient_outcome, name="outcome"),
    path("sms/receipts/<str:backend>/<str:token>/", views.sms_receipts, name="sms_receipts"),
]
