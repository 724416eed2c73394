"""Default-deny: every URL needs a signed-in person except an explicit public list."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.urlwalk import all_routes

# Pages an anonymous visitor may reach: signing in and out, password reset,
# the second sign-in step, accepting an invitation, and the health check.
PUBLIC_URL_NAMES = {
    "healthz",
    "account_login",
    "account_logout",
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "mfa_authenticate",
    "invitation_accept",
}

ROUTES = all_routes()
PRIVATE_ROUTES = [route for route in ROUTES if route.name not in PUBLIC_URL_NAMES]


def is_login_redirect(response) -> bool:
    if response.status_code != 302:
        return False
    path = urlsplit(response["Location"]).path
    return path in {reverse("account_login"), reverse("admin:login")}


def test_the_walk_covers_the_project_urls():
    names = {route.name for route in ROUTES}
    assert {"home", "people_list", "person_detail", "invitation_accept", "healthz"} <= names
    assert len(ROUTES) > 40


def test_exactly_the_public_list_is_marked_public():
    public_in_code = {
        route.name for route in ROUTES if not route.login_required and not route.route.startswith("admin/")
    }
    assert public_in_code == PUBLIC_URL_NAMES


@pytest.mark.django_db
@pytest.mark.parametrize("route", PRIVATE_ROUTES, ids=[route.route for route in PRIVATE_ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, route, method):
    response = getattr(client, method)(route.path)
    assert is_login_redirect(response), f"{method.upper()} {route.path} answered {response.status_code}"
