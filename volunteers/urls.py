from django.urls import path

from .views import phone, welfare

app_name = "volunteers"

urlpatterns = [
    # Registration, approval and the phone's login
    # Groups, coverage and the group table
    # Shifts, sign-up, roster and check-in
    # The volunteer's phone: today, tasks, welfare checks
    path("v/", phone.today_page, name="today"),
    path("v/tasks/<int:pk>/", phone.task_detail, name="task"),
    path("v/tasks/<int:pk>/take/", phone.task_take, name="task_take"),
    path("v/tasks/<int:pk>/give-back/", phone.task_give_back, name="task_give_back"),
    path("v/tasks/<int:pk>/done/", phone.task_done, name="task_done"),
    path("v/welfare/<int:pk>/", phone.welfare_check, name="welfare_check"),
    path("welfare/", welfare.welfare_day, name="welfare_day"),
    path("welfare/offer/", welfare.welfare_offer, name="welfare_offer"),
    path("welfare/<int:pk>/handled/", welfare.welfare_handle, name="welfare_handle"),
]
