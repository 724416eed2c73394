from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.urls import allauth_patterns
from rsc.views import core as views

# The Django admin is for site operators; its login goes through allauth so
# that rate limits and two-factor authentication apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "RSC Records — site operation"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("session/status/", views.session_status, name="session_status"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("families/", include("rsc.urls.families")),
    path("agreements/", include("rsc.urls.agreements")),
    path("groups/", include("rsc.urls.groups")),
    path("sessions/", include("rsc.urls.sessions")),
    path("reflections/", include("rsc.urls.reflections")),
    path("audit/", include("rsc.urls.audit")),
    path("me/", include("rsc.urls.me")),
    path("accounts/", include(allauth_patterns)),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

# Django's error views, made safe against a request body they cannot read (see rsc/views/core.py).
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
