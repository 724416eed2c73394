"""Every URL pattern of the project, turned into a concrete path with sample arguments.

Shared by the tests that must cover every URL, so that a new URL is covered
automatically, and a URL the walk cannot build fails loudly.
"""

import re
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver

# Sample values for every named argument used in the project's URLs.
SAMPLES = {
    "pk": "1",
    "token": "sample-token",
    "object_id": "1",
    "id": "1",
    "follow_up_pk": "1",
    "item_pk": "1",
    "uidb36": "1",
    "key": "sample-key",
    "app_label": "accounts",
    "content_type_id": "1",
    "url": "unknown-page/",
}


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    path: str
    callback: object

    @property
    def login_required(self) -> bool:
        return getattr(self.callback, "login_required", True)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _concrete(route: str) -> str:
    def sample(name: str) -> str:
        if name not in SAMPLES:
            raise LookupError(f"Add a sample value for the URL argument {name!r} (route {route!r}) to tests/urlwalk.py")
        return SAMPLES[name]

    # Regular-expression groups first: (?P<name>...).
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: sample(m.group(1)), route)
    # Then path converters: <int:pk>, <pk>.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: sample(m.group(1)), path)
    # Alternations like (?P<app_label>auth|account) leave a remainder; strip anchors.
    path = path.replace("^", "").replace("$", "")
    if re.search(r"[()\[\]*+?|\\]", path):
        raise LookupError(f"tests/urlwalk.py cannot build a path for {route!r}; teach it how.")
    return "/" + path


def all_routes() -> list[Route]:
    routes = []
    for route, pattern in _walk(get_resolver().url_patterns):
        routes.append(Route(route=route, name=pattern.name, path=_concrete(route), callback=pattern.callback))
    return routes
