from django.urls import path  # noqa: F401 (the sections below add their pages)

app_name = "volunteers"

urlpatterns = [
    # Registration, approval and the phone's login
    # Groups, coverage and the group table
    # Shifts, sign-up, roster and check-in
    # The volunteer's phone: today, tasks, welfare checks
]
