from django.urls import path

from .views import distributions, gate, group_buys, runs, waves

app_name = "supplies"

urlpatterns = [
    # The gate
    path("parcels/", gate.gates, name="gates"),
    path("compounds/<int:pk>/gate/", gate.gate_page, name="gate"),
    path("compounds/<int:pk>/gate/disinfect/", gate.disinfect, name="disinfect"),
    path("compounds/<int:pk>/gate/hold/", gate.hold_set, name="hold"),
    path("parcels/<int:pk>/undo/", gate.undo, name="undo"),
    path("parcels/<int:pk>/requeue/", gate.requeue, name="requeue"),
    path("parcels/<int:pk>/photo/", gate.photo, name="parcel_photo"),
    # Waves, sorting and the route
    path("compounds/<int:pk>/waves/", waves.wave_list, name="waves"),
    path("waves/<int:pk>/", waves.wave_detail, name="wave"),
    path("waves/<int:pk>/load/", waves.wave_load, name="wave_load"),
    path("waves/<int:pk>/unload/", waves.wave_unload, name="wave_unload"),
    path("waves/<int:pk>/dispatch/", waves.wave_dispatch, name="wave_dispatch"),
    path("waves/<int:pk>/labels/", waves.wave_labels, name="wave_labels"),
    path("waves/<int:pk>/sheet/", waves.wave_sheet, name="wave_sheet"),
    path("compounds/<int:pk>/parcel-route/", waves.route_page, name="route"),
    path("buildings/<int:pk>/parcel-route/", waves.route_set, name="route_set"),
    # Group buys
    path("group-buys/", group_buys.group_buy_list, name="group_buys"),
    path("compounds/<int:pk>/group-buys/new/", group_buys.group_buy_file, name="group_buy_file"),
    path("group-buys/<int:pk>/", group_buys.group_buy_detail, name="group_buy"),
    path("group-buys/<int:pk>/documents/", group_buys.document_add, name="group_buy_document"),
    path("group-buy-documents/<int:pk>/", group_buys.document_file, name="group_buy_document_file"),
    path("group-buys/<int:pk>/approve/", group_buys.approve, name="group_buy_approve"),
    path("group-buys/<int:pk>/reject/", group_buys.reject, name="group_buy_reject"),
    path("group-buys/<int:pk>/refile/", group_buys.refile, name="group_buy_refile"),
    path("group-buys/<int:pk>/orders/", group_buys.order_set, name="group_buy_order"),
    path("group-buys/<int:pk>/orders/import/", group_buys.orders_import, name="group_buy_import"),
    path("group-buys/<int:pk>/arrived/", group_buys.arrive, name="group_buy_arrive"),
    # Distributions and donations
    path("communities/<int:pk>/distributions/", distributions.distribution_list, name="distributions"),
    path("communities/<int:pk>/distributions/new/", distributions.distribution_create, name="distribution_create"),
    path("distributions/<int:pk>/", distributions.distribution_detail, name="distribution"),
    path("v/distributions/<int:pk>/<int:building_pk>/", distributions.share_run, name="share_run"),
    path("v/distributions/<int:pk>/<int:building_pk>/deliver/", distributions.shares_deliver, name="shares_deliver"),
    path("v/shares/<int:pk>/keep/", distributions.share_keep, name="share_keep"),
    path("v/shares/<int:pk>/make-up/", distributions.share_make_up, name="share_make_up"),
    path("communities/<int:pk>/donations/", distributions.donations, name="donations"),
    path("communities/<int:pk>/donations/thanks/", distributions.thank_you, name="thank_you"),
    # A building's run on the volunteer's phone
    path("v/runs/<int:wave_pk>/<int:building_pk>/", runs.run_page, name="run"),
    path("v/runs/<int:wave_pk>/<int:building_pk>/hand-over/", runs.hand_over, name="hand_over"),
    path("v/parcels/<int:pk>/return/", runs.send_back, name="send_back"),
]
