from allauth import urls as allauth_urls
from django.urls import URLPattern, URLResolver, path

from accounts import views

# allauth's pages for self-service sign-up and email management do not fit an
# invite-only product whose administrators manage addresses; leave them out.
EXCLUDED_ALLAUTH_NAMES = {
    "account_signup",
    "account_email",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
}


def _without_excluded(patterns: list) -> list[URLPattern | URLResolver]:
    kept = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            pattern.url_patterns[:] = _without_excluded(pattern.url_patterns)
            kept.append(pattern)
        elif pattern.name not in EXCLUDED_ALLAUTH_NAMES:
            kept.append(pattern)
    return kept


allauth_patterns = _without_excluded(list(allauth_urls.urlpatterns))

urlpatterns = [
    path("people/", views.people_list, name="people_list"),
    path("people/invite/", views.person_invite, name="person_invite"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/roles/", views.person_roles, name="person_roles"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/resend-invitation/", views.invitation_resend, name="invitation_resend"),
    path("organization/", views.organization_settings, name="organization_settings"),
    path("profile/", views.profile, name="profile"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
