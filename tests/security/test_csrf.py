"""CSRF on every state change: a POST without the token is refused (403) and changes nothing.

Every URL is posted to, signed in as a persona the matrix lets use it (the owner where
nobody may; for the Django admin, a site operator). The same POST with the token then gets
past the check, with the answer the matrix expects: the token is the only difference.
"""

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string

from accounts.models import User
from tests.conftest import mark_reauthenticated
from tests.security import snapshot
from tests.security.checks import body, status_problem
from tests.security.matrix import ADMIN_LOGIN, LOGIN, POST, REAUTH, expectations_for
from tests.security.routes import all_routes, path_for
from tests.security.world import PERSONAS, build_world

ROUTES = all_routes()
# Whom to try first when several personas may post.
PREFERENCE = ("owner", "supervisor", "admin", "colleague", "unrelated_supervisor", "stranger", "anonymous")
REFUSED = {403, 404, 405, LOGIN, ADMIN_LOGIN, REAUTH}
assert set(PREFERENCE) == set(PERSONAS)


def poster(route) -> str | None:
    """A persona the matrix lets use the URL with a POST, if any."""
    cells = expectations_for(route)[POST]
    return next((persona for persona in PREFERENCE if cells[persona] not in REFUSED), None)


def csrf_refusals(caplog) -> list[str]:
    return [record.args[0] for record in caplog.records if record.name == "django.security.csrf"]


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(route, caplog):
    world = build_world()
    path = path_for(route, world)
    persona = None if route.is_admin else poster(route)
    client = world.client_for(persona or "owner", enforce_csrf_checks=True)
    if route.is_admin:
        operator = User.objects.create_superuser(email="operator@rsc.example", password="x", full_name="Site Operator")
        client.force_login(operator)
        mark_reauthenticated(client, operator)
    before = snapshot.take()

    response = client.post(path, {"full_name": "Changed", "text": "Changed"})

    assert response.status_code == 403, f"POST {path} without a token answered {response.status_code}"
    assert "your typing is still in the form" in body(response)
    assert csrf_refusals(caplog) == ["CSRF cookie not set."]
    assert snapshot.changes(before, snapshot.take()) == []

    # With the token, the same person gets past the check.
    caplog.clear()
    token = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    response = client.post(path, {"csrfmiddlewaretoken": token})
    assert csrf_refusals(caplog) == []
    if persona is not None:
        problem = status_problem(response, expectations_for(route)[POST][persona])
        assert problem is None, f"POST {path} with the token as {persona}: {problem}"
