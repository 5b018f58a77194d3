from django.urls import path

from .views import approval, groups, phone, phone_login, phone_signup, registration, shifts, welfare

app_name = "volunteers"

urlpatterns = [
    # Registration, approval and the phone's login
    path("join/<str:token>/", registration.join, name="join"),
    path("join/<str:token>/thanks/", registration.join_thanks, name="join_thanks"),
    path("compounds/<int:pk>/volunteer-poster/", registration.poster, name="poster"),
    path("compounds/<int:pk>/volunteer-poster/joining/", registration.poster_joining, name="poster_joining"),
    path("compounds/<int:pk>/volunteer-poster/new-link/", registration.poster_new_link, name="poster_new_link"),
    path("volunteers/", approval.volunteer_list, name="list"),
    path("volunteers/decide/", approval.volunteers_decide, name="decide"),
    path("volunteers/<int:pk>/", approval.volunteer_detail, name="detail"),
    path("volunteers/<int:pk>/approve/", approval.volunteer_approve, name="approve"),
    path("volunteers/<int:pk>/decline/", approval.volunteer_decline, name="decline"),
    path("volunteers/<int:pk>/reveal/", approval.volunteer_reveal, name="reveal"),
    path("accounts/phone-login/", phone_login.phone_login_start, name="phone_login"),
    path("accounts/phone-login/code/", phone_login.phone_login_code, name="phone_login_code"),
    # Groups, coverage and the group table
    path("communities/<int:pk>/volunteer-groups/", groups.table, name="groups"),
    path("communities/<int:pk>/volunteer-groups.xlsx", groups.table_xlsx, name="groups_xlsx"),
    path("communities/<int:pk>/volunteer-groups/new/", groups.group_create, name="group_create"),
    path("volunteer-groups/<int:pk>/", groups.group_detail, name="group"),
    path("volunteer-groups/<int:pk>/members/", groups.members_add, name="members_add"),
    path("volunteer-groups/<int:pk>/members/<int:volunteer_pk>/", groups.member_change, name="member_change"),
    path("communities/<int:pk>/coverage/", groups.coverage_page, name="coverage"),
    path("communities/<int:pk>/coverage/add/", groups.cover_add, name="cover_add"),
    path("buildings/<int:pk>/coverage/<int:volunteer_pk>/remove/", groups.cover_remove, name="cover_remove"),
    path("buildings/<int:pk>/pairs/", groups.pair_create, name="pair_create"),
    path("building-pairs/<int:pk>/delete/", groups.pair_delete, name="pair_delete"),
    # Shifts, sign-up, roster and check-in
    path("communities/<int:pk>/shift-templates/", shifts.templates, name="shift_templates"),
    path("shift-templates/<int:pk>/", shifts.template_edit, name="shift_template"),
    path("compounds/<int:pk>/roster/", shifts.roster, name="roster"),
    path("compounds/<int:pk>/roster/stamp/", shifts.roster_stamp, name="roster_stamp"),
    path("compounds/<int:pk>/sign-up-cut-off/", shifts.cut_off, name="cut_off"),
    path("rosters/<int:pk>/changes/", shifts.roster_changes, name="roster_changes"),
    path("rosters/<int:pk>/close/", shifts.roster_close, name="roster_close"),
    path("rosters/<int:pk>/publish/", shifts.roster_publish, name="roster_publish"),
    path("rosters/<int:pk>/sms/", shifts.roster_notify, name="roster_notify"),
    path("signups/<int:pk>/move/", shifts.signup_move, name="signup_move"),
    path("signups/<int:pk>/remove/", shifts.signup_remove, name="signup_remove"),
    path("compounds/<int:pk>/check-in/", shifts.check_in, name="check_in"),
    path("signups/<int:pk>/attendance/", shifts.mark, name="attendance_mark"),
    path("communities/<int:pk>/volunteer-hours/", shifts.hours_page, name="hours"),
    path("v/shifts/", phone_signup.my_shifts, name="my_shifts"),
    path("v/shifts/<int:pk>/sign-up/", phone_signup.sign_up, name="sign_up"),
    path("v/signups/<int:pk>/cancel/", phone_signup.cancel, name="cancel_signup"),
    # The volunteer's phone: today, tasks, welfare checks
    path("v/", phone.today_page, name="today"),
    path("v/tasks/<int:pk>/", phone.task_detail, name="task"),
    path("v/tasks/<int:pk>/take/", phone.task_take, name="task_take"),
    path("v/tasks/<int:pk>/give-back/", phone.task_give_back, name="task_give_back"),
    path("v/tasks/<int:pk>/done/", phone.task_done, name="task_done"),
    path("v/tasks/<int:pk>/release/", phone.task_release, name="task_release"),
    path("v/welfare/<int:pk>/", phone.welfare_check, name="welfare_check"),
    path("welfare/", welfare.welfare_day, name="welfare_day"),
    path("welfare/offer/", welfare.welfare_offer, name="welfare_offer"),
    path("welfare/<int:pk>/handled/", welfare.welfare_handle, name="welfare_handle"),
]
