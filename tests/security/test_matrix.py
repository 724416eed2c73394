"""The access matrix: every URL × seven personas × GET and POST, each cell in a fresh world.

Each answer is checked for its exact status (and where a redirect goes), the security
headers (CSP, X-Frame-Options, nosniff, Referrer-Policy, Cache-Control: no-store), that it
shows none of the owner's words to someone who may not read them (downloads included), and
that no audit event holds anyone's writing. A GET may write nothing but the few things
reading records (tests/security/writes.py). The expectations are in tests/security/matrix.py.
"""

import pytest

from tests.security.crawl import check_route
from tests.security.routes import all_routes

ROUTES = all_routes()


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_url_answers_every_persona_as_the_matrix_says(route):
    problems = check_route(route)
    assert not problems, f"{len(problems)} cell(s) of {route.key}:\n" + "\n".join(problems)
