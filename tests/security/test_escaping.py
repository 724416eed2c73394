"""All output escaped (security.md 19): markup typed into any field comes back as text.

Every free-text field people type into holds a script-and-markup payload, written straight
to the database (so input rules such as the family code's letters-and-digits do not hide
an output that forgot to escape). Then every page is read by everyone who may read it (the
site operator reads the Django admin) and no HTML answer may hold a payload as markup; each
field's payload must come back escaped on at least one page, so every field was looked at.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import CharField
from django.urls import reverse
from django.utils.html import escape

from rsc.models import (
    AgendaItem,
    AuditEvent,
    Caregiver,
    Child,
    Family,
    FollowUp,
    Reflection,
    ReflectionResponse,
    ReflectionVersion,
    ResponseDraft,
    RSCGroup,
    SessionEvent,
    SessionNoteVersion,
    SessionReply,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.models.reflections import SECTION_FIELDS
from tests.conftest import mark_reauthenticated
from tests.security.checks import body
from tests.security.matrix import GET, expectations_for
from tests.security.routes import all_routes, path_for
from tests.security.world import PERSONAS, World, build_world

User = get_user_model()

TEMPLATES = (
    '<script>alert("{tag}")</script>"><img src=x onerror=alert("{tag}")>{{{{7*7}}}}',
    '<script>{tag}</script>"><img src=x>',
    "<script>{tag}</script>",
)


def payload(model, field: str, tag: str) -> str:
    """The longest payload that fits the column (PostgreSQL enforces the length)."""
    limit = model._meta.get_field(field).max_length if isinstance(model._meta.get_field(field), CharField) else None
    for template in TEMPLATES:
        text = template.format(tag=tag)
        if limit is None or len(text) <= limit:
            return text
    raise AssertionError(f"No payload fits {model.__name__}.{field}")


def plant(world: World) -> dict[str, str]:
    """Write a payload into every free-text field of the owner's world; the payloads by field."""
    planted: dict[str, str] = {}

    def put(label, queryset, field, tag, **more):
        planted[label] = payload(queryset.model, field, tag)
        queryset.update(**{field: planted[label]}, **more)

    organization = type(world.organization).objects.filter(pk=world.organization.pk)
    put("organization name", organization, "name", "on")
    put("organization confidentiality text", organization, "confidentiality_limits", "oc")
    put("organization emergency contact", organization, "emergency_contact", "oe")
    put("person full name", User.objects.filter(pk=world.people["owner"].pk), "full_name", "pn")
    put("family code", Family.objects.filter(pk=world.family.pk), "code", "fc")
    put("deleted family code", Family.objects.filter(pk=world.deleted_family.pk), "code", "dc")
    put("child label", Child.objects.filter(family=world.family), "label", "cl")
    put("caregiver initials", Caregiver.objects.filter(family=world.family), "label", "gl")
    put("caregiver notes", Caregiver.objects.filter(family=world.family), "notes", "gn")
    put(
        "agreement confidentiality text",
        SupervisionAgreement.objects.filter(pk=world.agreement.pk),
        "confidentiality_limits",
        "ac",
    )
    put(
        "agreement emergency contact",
        SupervisionAgreement.objects.filter(pk=world.agreement.pk),
        "emergency_contact",
        "am",
    )
    put("group name", RSCGroup.objects.filter(pk=world.group.pk), "name", "gr")
    put("session location", SupervisionSession.objects.filter(pk=world.session.pk), "location", "lo")
    put(
        "cancel reason",
        SupervisionSession.objects.filter(pk=world.session.pk),
        "cancel_reason",
        "cr",
        status="cancelled",
        cancelled_by=world.people["owner"],
    )
    put("session notes", SupervisionSession.objects.filter(pk=world.held_session.pk), "notes", "sn")
    put("earlier session notes", SessionNoteVersion.objects.filter(session=world.held_session), "notes", "nv")
    SessionEvent.objects.create(session=world.session, kind="reopened", actor=world.people["supervisor"])
    put("reopen reason", SessionEvent.objects.filter(session=world.session, kind="reopened"), "reason", "rr")
    put("agenda item", AgendaItem.objects.filter(pk=world.agenda_item.pk), "text", "ag")
    put("follow-up", FollowUp.objects.filter(pk=world.follow_up.pk), "text", "fu")
    put("reply under the notes", SessionReply.objects.filter(pk=world.reply.pk), "text", "sr")
    reflection = Reflection.objects.filter(pk=world.reflection.pk)
    put("reflection title", reflection, "title", "rt")
    put("check-in words", reflection, "checkin_words", "cw")
    for index, field in enumerate(SECTION_FIELDS):
        put(f"reflection section {field}", reflection, field, f"s{index}")
    put("deleted reflection", Reflection.objects.filter(pk=world.deleted_reflection.pk), "what_happened", "dr")
    put("earlier reflection title", ReflectionVersion.objects.filter(reflection=world.reflection), "title", "vt")
    planted["earlier reflection text"] = payload(Reflection, "what_happened", "vs")
    ReflectionVersion.objects.filter(reflection=world.reflection).update(
        sections=dict.fromkeys(SECTION_FIELDS, planted["earlier reflection text"])
    )
    put("response", ReflectionResponse.objects.filter(reflection=world.reflection), "text", "re")
    ResponseDraft.objects.create(reflection=world.reflection, author=world.people["supervisor"], text="x")
    put("response draft", ResponseDraft.objects.filter(reflection=world.reflection), "text", "rd")
    # A failed sign-in records the address typed by anyone at all: the audit viewer shows it.
    planted["address typed at sign-in"] = payload(AuditEvent, "actor_email", "ae")
    AuditEvent.objects.create(
        organization=world.organization,
        action=AuditEvent.Action.LOGIN_FAILED,
        actor_email=planted["address typed at sign-in"],
        record_type=AuditEvent.RecordType.ACCOUNT,
    )
    return planted


def raw_markup(text: str, planted: dict[str, str]) -> list[str]:
    found = [label for label, value in planted.items() if value in text]
    if "<img src=x" in text:
        found.append("an <img src=x> tag")
    return found


def readers(route) -> list[str]:
    """Who reads the page: everyone the matrix gives a 200 (the Django admin: the site operator)."""
    if route.is_admin:
        return ["operator"]
    return [persona for persona in PERSONAS if expectations_for(route)[GET][persona] == 200]


@pytest.mark.django_db
def test_markup_typed_anywhere_comes_back_escaped_on_every_page():
    world = build_world()
    planted = plant(world)
    operator = User.objects.create_superuser(email="operator@rsc.example", password="x", full_name="Site Operator")
    clients = {persona: world.client_for(persona) for persona in PERSONAS}
    clients["operator"] = world.client_for("anonymous")
    clients["operator"].force_login(operator)
    mark_reauthenticated(clients["operator"], operator)

    problems, shown, pages = [], set(), 0
    for route in all_routes():
        path = path_for(route, world)
        for persona in readers(route):
            with transaction.atomic():
                response = clients[persona].get(path)
                transaction.set_rollback(True)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            pages += 1
            text = body(response)
            if found := raw_markup(text, planted):
                problems.append(f"GET {path} as {persona} ({response.status_code}) shows as markup: {found}")
            shown |= {label for label, value in planted.items() if escape(value) in text}

    assert problems == []
    assert set(planted) - shown == set(), "never shown escaped on any page"
    assert pages > 100


# Reflected: what is typed into the address comes back escaped too.
ATTACK = '<script>alert("q")</script>"><img src=x onerror=alert("q")>{{7*7}}'
QUERIES = [
    ("owner", "family_list", {"q": ATTACK, "state": ATTACK, "context": ATTACK}),
    ("owner", "reflection_list", {"q": ATTACK, "show": ATTACK, "state": ATTACK}),
    ("owner", "reflection_create", {"family": ATTACK, "session": ATTACK}),
    ("owner", "reflection_children", {"family": ATTACK}),
    ("owner", "session_list", {"when": ATTACK, "page": ATTACK}),
    ("supervisor", "session_week", {"week": ATTACK}),
    ("admin", "session_overview", {"q": ATTACK, "status": ATTACK}),
    ("admin", "people_list", {"q": ATTACK, "status": ATTACK, "role": ATTACK}),
    ("admin", "agreement_list", {"q": ATTACK, "status": ATTACK}),
    ("admin", "audit_list", {"person": ATTACK, "action": ATTACK, "start": ATTACK}),
    ("admin", "family_deleted_list", {"page": ATTACK}),
    ("owner", "group_list", {"page": ATTACK}),
    ("anonymous", "account_login", {"next": ATTACK}),
    ("anonymous", "account_reset_password", {"email": ATTACK}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "url_name", "query"), QUERIES, ids=[name for _, name, _ in QUERIES])
def test_markup_in_the_address_comes_back_escaped(world, persona, url_name, query):
    response = world.client_for(persona).get(reverse(url_name), query)
    assert response.status_code in {200, 400}
    text = body(response)
    assert ATTACK not in text
    assert "<img src=x" not in text
