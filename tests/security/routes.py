"""Every URL pattern of a URLconf, keyed by name, and turned into a path with the world's ids.

Keys are URL names; patterns inside a namespace are "namespace:name", and the few unnamed
patterns (the Django admin's) are keyed by their route. Arguments come from the security
world (ARGUMENTS, per URL name) or, for third-party pages, from tests/urlwalk.py's SAMPLES.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver

from tests.security.world import World
from tests.urlwalk import SAMPLES


@dataclass(frozen=True)
class Route:
    key: str
    name: str | None
    namespace: str
    route: str
    callback: object

    @property
    def argument_names(self) -> list[str]:
        return re.findall(r"\(\?P<(\w+)>", self.route) + re.findall(r"<(?:\w+:)?(\w+)>", self.route)

    @property
    def is_admin(self) -> bool:
        return self.namespace == "admin"

    def __str__(self) -> str:
        return self.key


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield prefix + str(pattern.pattern), pattern, namespace


def all_routes(urlconf=None) -> list[Route]:
    routes = []
    for route, pattern, namespace in _walk(get_resolver(urlconf).url_patterns):
        name = pattern.name
        key = name or route
        if namespace:
            key = f"{namespace}:{key}"
        routes.append(Route(key=key, name=name, namespace=namespace, route=route, callback=pattern.callback))
    return routes


# The record behind each argument of the project's URLs, by URL name.
ARGUMENTS: dict[str, Callable[[World], dict]] = {
    "family_detail": lambda w: {"pk": w.family.pk},
    "family_edit": lambda w: {"pk": w.family.pk},
    "family_close": lambda w: {"pk": w.family.pk},
    "family_reopen": lambda w: {"pk": w.family.pk},
    "family_delete": lambda w: {"pk": w.family.pk},
    "family_restore": lambda w: {"pk": w.deleted_family.pk},
    "agreement_detail": lambda w: {"pk": w.agreement.pk},
    "agreement_edit": lambda w: {"pk": w.agreement.pk},
    "agreement_end": lambda w: {"pk": w.agreement.pk},
    "agreement_acknowledge": lambda w: {"pk": w.agreement.pk},
    "group_detail": lambda w: {"pk": w.group.pk},
    "group_edit": lambda w: {"pk": w.group.pk},
    "follow_up_done": lambda w: {"pk": w.follow_up.pk},
    "session_detail": lambda w: {"pk": w.session.pk},
    "session_edit": lambda w: {"pk": w.session.pk},
    "session_cancel": lambda w: {"pk": w.session.pk},
    "session_attendance": lambda w: {"pk": w.held_session.pk},
    "session_prepare": lambda w: {"pk": w.session.pk},
    "session_document": lambda w: {"pk": w.held_session.pk},
    "session_versions": lambda w: {"pk": w.held_session.pk},
    "follow_up_create": lambda w: {"pk": w.held_session.pk},
    "follow_up_delete": lambda w: {"pk": w.held_session.pk, "follow_up_pk": w.follow_up.pk},
    "session_sign": lambda w: {"pk": w.held_session.pk},
    "session_reopen": lambda w: {"pk": w.signed_session.pk},
    "agenda_add": lambda w: {"pk": w.session.pk},
    "agenda_delete": lambda w: {"pk": w.session.pk, "item_pk": w.agenda_item.pk},
    "agenda_move": lambda w: {"pk": w.session.pk, "item_pk": w.agenda_item.pk},
    "session_reply_create": lambda w: {"pk": w.held_session.pk},
    "reflection_detail": lambda w: {"pk": w.reflection.pk},
    "reflection_edit": lambda w: {"pk": w.reflection.pk},
    "reflection_share": lambda w: {"pk": w.reflection.pk},
    "reflection_unshare": lambda w: {"pk": w.reflection.pk},
    "response_create": lambda w: {"pk": w.reflection.pk},
    "response_draft": lambda w: {"pk": w.reflection.pk},
    "reflection_versions": lambda w: {"pk": w.reflection.pk},
    "reflection_delete": lambda w: {"pk": w.reflection.pk},
    "reflection_restore": lambda w: {"pk": w.deleted_reflection.pk},
    "person_detail": lambda w: {"pk": w.people["owner"].pk},
    "person_roles": lambda w: {"pk": w.people["owner"].pk},
    "person_deactivate": lambda w: {"pk": w.people["owner"].pk},
    "person_reactivate": lambda w: {"pk": w.former.pk},
    "invitation_resend": lambda w: {"pk": w.invited.pk},
    "invitation_accept": lambda w: {"token": w.invitation_token},
}


# Third-party pages whose arguments are not records of the world: SAMPLES do.
SAMPLE_ARGUMENTS = {"account_reset_password_from_key"}


def path_for(route: Route, world: World) -> str:
    """The concrete path: the world's records for project URLs, SAMPLES for third-party pages."""
    values = {name: str(value) for name, value in ARGUMENTS.get(route.key, lambda w: {})(world).items()}
    samples = SAMPLES if route.is_admin or route.key in SAMPLE_ARGUMENTS else {}
    missing = [name for name in route.argument_names if name not in values and name not in samples]
    if missing:
        raise LookupError(f"Name the record behind {missing} of {route.key!r} in tests/security/routes.py ARGUMENTS")

    def value(name: str) -> str:
        return values.get(name, samples.get(name, ""))

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), route.route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), path)
    path = path.replace("^", "").replace("$", "")
    if re.search(r"[()\[\]*+?|\\]", path):
        raise LookupError(f"tests/security/routes.py cannot build a path for {route.route!r}; teach it how.")
    return "/" + path
