"""One URL's row of the matrix: each cell a request in a fresh world, with every check that applies.

The world is built once per URL; each cell runs in a savepoint that is rolled back, so a
POST that deletes, signs or deactivates leaves the next cell the same world.
"""

import copy

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.security import writes
from tests.security.checks import body, header_problems, leaks, status_problem
from tests.security.matrix import GET, expectations_for
from tests.security.routes import Route, path_for
from tests.security.world import MARKERS, PERSONAS, World, build_world


def run_cell(client, persona: str, path: str, method: str, expected) -> list[str]:
    """Send one request and roll everything back; the problems found, in words."""
    problems = []
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = client.get(path) if method == GET else client.post(path)
        text = body(response)
        transaction.set_rollback(True)
    # A POST may have signed the person out; the next cell starts from the same sign-in.
    client.cookies = cookies
    if problem := status_problem(response, expected):
        problems.append(problem)
    problems += header_problems(response)
    if leaked := leaks(text, persona):
        problems.append(f"the answer shows the owner's {', '.join(leaked)}")
    found = writes.writes(queries.captured_queries)
    if method == GET:
        problems += [f"the GET wrote: {write}" for write in writes.forbidden(found, writes.GET_MAY_WRITE)]
    for write in found:
        if write.table == "rsc_auditevent" and any(marker in write.sql for marker in MARKERS.values()):
            problems.append("an audit event holds the owner's writing")
    return [f"{method} {path} as {persona}: {problem}" for problem in problems]


def check_route(route: Route, world: World | None = None) -> list[str]:
    """Every cell of one URL's row of the matrix; fails at once for a URL the matrix does not know."""
    expected = expectations_for(route)
    assert expected is not None, (
        f"The URL {route.key!r} ({route.route}) has no entry in tests/security/matrix.py MATRIX. "
        "Add one: the expected answer for each persona, for GET and POST."
    )
    world = world or build_world()
    path = path_for(route, world)
    clients = {persona: world.client_for(persona) for persona in PERSONAS}
    problems = []
    for method, cells in expected.items():
        for persona in PERSONAS:
            problems += run_cell(clients[persona], persona, path, method, cells[persona])
    return problems
