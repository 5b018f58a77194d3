from django.urls import path

from .views import groups, phone_signup, shifts

app_name = "volunteers"

urlpatterns = [
    # Registration, approval and the phone's login
    # Groups, coverage and the group table
    path("communities/<int:pk>/volunteer-groups/", groups.table, name="groups"),
    path("communities/<int:pk>/volunteer-groups.xlsx", groups.table_xlsx, name="groups_xlsx"),
    path("communities/<int:pk>/volunteer-groups/new/", groups.group_create, name="group_create"),
    path("volunteer-groups/<int:pk>/", groups.group_detail, name="group"),
    path("volunteer-groups/<int:pk>/members/", groups.members_add, name="members_add"),
    path("volunteer-groups/<int:pk>/members/<int:volunteer_pk>/", groups.member_change, name="member_change"),
    path("communities/<int:pk>/coverage/", groups.coverage_page, name="coverage"),
    path("buildings/<int:pk>/coverage/", groups.cover_change, name="cover_change"),
    path("buildings/<int:pk>/pairs/", groups.pair_create, name="pair_create"),
    path("building-pairs/<int:pk>/delete/", groups.pair_delete, name="pair_delete"),
    # Shifts, sign-up, roster and check-in
    path("communities/<int:pk>/shift-templates/", shifts.templates, name="shift_templates"),
    path("shift-templates/<int:pk>/", shifts.template_edit, name="shift_template"),
    path("compounds/<int:pk>/roster/", shifts.roster, name="roster"),
    path("compounds/<int:pk>/roster/stamp/", shifts.roster_stamp, name="roster_stamp"),
    path("rosters/<int:pk>/changes/", shifts.roster_changes, name="roster_changes"),
    path("rosters/<int:pk>/close/", shifts.roster_close, name="roster_close"),
    path("rosters/<int:pk>/publish/", shifts.roster_publish, name="roster_publish"),
    path("rosters/<int:pk>/sms/", shifts.roster_notify, name="roster_notify"),
    path("signups/<int:pk>/move/", shifts.signup_move, name="signup_move"),
    path("signups/<int:pk>/remove/", shifts.signup_remove, name="signup_remove"),
    path("compounds/<int:pk>/check-in/", shifts.check_in, name="check_in"),
    path("signups/<int:pk>/attendance/", shifts.mark, name="attendance_mark"),
    path("communities/<int:pk>/volunteer-hours/", shifts.hours_page, name="hours"),
    path("my-shifts/", phone_signup.my_shifts, name="my_shifts"),
    path("shifts/<int:pk>/sign-up/", phone_signup.sign_up, name="sign_up"),
    path("my-signups/<int:pk>/cancel/", phone_signup.cancel, name="cancel_signup"),
    # The volunteer's phone: today, tasks, welfare checks
]
