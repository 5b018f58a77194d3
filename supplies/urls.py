from django.urls import path

from .views import gate, runs, waves

app_name = "supplies"

urlpatterns = [
    # The gate
    path("parcels/", gate.gates, name="gates"),
    path("compounds/<int:pk>/gate/", gate.gate_page, name="gate"),
    path("compounds/<int:pk>/gate/disinfect/", gate.disinfect, name="disinfect"),
    path("compounds/<int:pk>/gate/hold/", gate.hold_set, name="hold"),
    path("parcels/<int:pk>/undo/", gate.undo, name="undo"),
    path("parcels/<int:pk>/requeue/", gate.requeue, name="requeue"),
    # Waves, sorting and the route
    path("compounds/<int:pk>/waves/", waves.wave_list, name="waves"),
    path("waves/<int:pk>/", waves.wave_detail, name="wave"),
    path("waves/<int:pk>/load/", waves.wave_load, name="wave_load"),
    path("waves/<int:pk>/dispatch/", waves.wave_dispatch, name="wave_dispatch"),
    path("waves/<int:pk>/labels/", waves.wave_labels, name="wave_labels"),
    path("waves/<int:pk>/sheet/", waves.wave_sheet, name="wave_sheet"),
    path("compounds/<int:pk>/parcel-route/", waves.route_page, name="route"),
    path("buildings/<int:pk>/parcel-route/", waves.route_set, name="route_set"),
    # A building's run on the volunteer's phone
    path("v/runs/<int:wave_pk>/<int:building_pk>/", runs.run_page, name="run"),
    path("v/runs/<int:wave_pk>/<int:building_pk>/hand-over/", runs.hand_over, name="hand_over"),
    path("v/parcels/<int:pk>/return/", runs.send_back, name="send_back"),
]
