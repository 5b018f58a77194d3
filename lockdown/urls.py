from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeDoneView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import households.api  # noqa: F401 (registers the register's viewsets with the router)

from . import views
from .api import router

handler400 = views.bad_request
handler404 = views.page_not_found

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.Login.as_view(), name="login"),
    path("accounts/password_change/", views.PasswordChange.as_view(), name="password_change"),
    path("accounts/password_change/done/", PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("", include("households.urls")),
    path("", include("households.spreadsheets.urls")),
    path("", include("households.campaigns.urls")),
    path("", include("volunteers.urls")),
    path("", include("supplies.urls")),
]
