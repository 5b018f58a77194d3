from django.urls import path

from .views import approval, phone_login, registration

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
    # Shifts, sign-up, roster and check-in
    # The volunteer's phone: today, tasks, welfare checks
]
