from django.urls import path

from . import conflict_views, views

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
    path("id-conflicts/", conflict_views.id_conflict_list, name="id_conflicts"),
]
