"""Reflections: who reaches which page, writing with autosave and conflicts, versions, the private
check-in, sharing with the baby in mind, responses, search, escaping, headers and query counts."""

import datetime
import html
import re
import zoneinfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from rsc.models import (
    Child,
    Family,
    RSCGroup,
    SessionParticipant,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.models.reflections import (
    SECTION_FIELDS,
    Reflection,
    ReflectionResponse,
    ReflectionShare,
    ReflectionVersion,
    ResponseDraft,
)
from rsc.services import reflections as services
from rsc.urls.reflections import urlpatterns as reflection_urlpatterns
from rsc.views.reflections import PER_PAGE
from tests.conftest import acknowledged, make_person

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CHICAGO)  # a Monday
AUTOSAVE = {"X-Autosave": "1"}
PHONE_PASSAGE = "call her at 612-555-0147"


@pytest.fixture(autouse=True)
def clock():
    """Time stands still unless a test moves it on: versions depend on who read what, and when."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def minutes(count: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=count)


# --- Building the world ---------------------------------------------------------------------


def make_family(organization, *practitioners, code="JM-2", children=()) -> Family:
    family = Family.objects.create(
        organization=organization,
        code=code,
        context=Family.Context.HOME_VISITING,
        opened_on=datetime.date(2026, 1, 10),
    )
    family.practitioners.set(practitioners)
    for label, birth_month, *expected in children:
        Child.objects.create(family=family, label=label, birth_month=birth_month, expected=bool(expected))
    return family


@pytest.fixture
def family(organization, practitioner):
    """The practitioner's family, with K, 14 months old."""
    return make_family(organization, practitioner, children=[("K", datetime.date(2025, 4, 1))])


def make_session(agreement=None, *, group=None, participant=None, starts_at=None, **fields) -> SupervisionSession:
    lead = agreement.supervisor if agreement else group.facilitator
    session = SupervisionSession.objects.create(
        organization=lead.organization,
        supervisor=lead,
        agreement=agreement,
        group=group,
        starts_at=starts_at or NOW + datetime.timedelta(days=2),
        **fields,
    )
    SessionParticipant.objects.create(session=session, user=participant or agreement.supervisee)
    return session


@pytest.fixture
def session(agreement):
    """The practitioner's next session with their supervisor, in two days."""
    return make_session(agreement)


@pytest.fixture
def group_session(organization, other_supervisor, practitioner):
    """A group session led by a supervisor the practitioner has no agreement with."""
    group = RSCGroup.objects.create(organization=organization, name="Tuesday circle", facilitator=other_supervisor)
    group.members.add(practitioner)
    return make_session(group=group, participant=practitioner)


def write(author, sitting="setup", **fields) -> Reflection:
    """A reflection saved as the editor would save it."""
    data = {"what_happened": "We sat on the floor together.", **fields}
    return services.reflection_create(author=author, data=data, sitting=sitting)


def share(reflection, *supervisors) -> None:
    services.reflection_share(reflection=reflection, supervisors=list(supervisors))


@pytest.fixture
def shared_reflection(practitioner, supervisor, agreement, family, session):
    """The practitioner's reflection about their family for the next session, shared with their
    supervisor, with a response, a response being drafted and a private check-in."""
    reflection = write(
        practitioner,
        title="Bath time at JM-2",
        family=family,
        session=session,
        baby_experience="K watched the water pour.",
        checkin_score=2,
        checkin_words="Wrung out",
    )
    share(reflection, supervisor)
    services.response_add(reflection=reflection, author=supervisor, text="I wonder what K made of it.")
    services.response_draft_save(reflection=reflection, author=supervisor, text="Half a thought")
    return reflection


def form_data(**overrides) -> dict:
    """The reflection editor as a browser sends it, every box empty."""
    data = {
        "title": "",
        "family": "",
        "session": "",
        "checkin_words": "",
        "revision": "0",
        "sitting": "sitting-one",
        **dict.fromkeys(SECTION_FIELDS, ""),
    }
    data.update(overrides)
    return data


def edit_data(reflection: Reflection, **overrides) -> dict:
    """The editor of `reflection` as loaded from the database, plus overrides."""
    reflection = Reflection.objects.get(pk=reflection.pk)
    data = form_data(
        title=reflection.title,
        family=reflection.family_id or "",
        session=reflection.session_id or "",
        checkin_words=reflection.checkin_words,
        revision=str(reflection.revision),
        **reflection.texts(),
    )
    if reflection.checkin_score:
        data["checkin_score"] = str(reflection.checkin_score)
    data.update(overrides)
    return data


def text(response) -> str:
    """The page as a person reads it: entities turned back into characters."""
    return html.unescape(response.content.decode())


def textarea(response, name: str) -> str:
    """What a browser shows in a text box: the HTML parser drops one line break right after <textarea>."""
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', response.content.decode(), re.S)
    assert match, f"no textarea {name!r}"
    value = html.unescape(match.group(1))
    return value.removeprefix("\n")


def words(response) -> str:
    """The words of the page, without tags, each run of whitespace as one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def inner_html(response, element_id: str) -> str:
    """The HTML inside the element with this id (up to its first closing tag of the same kind)."""
    content = response.content.decode()
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', content, re.S)
    assert match, f"no element #{element_id}"
    return match.group(2)


def hidden_value(response, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', response.content.decode())
    assert match, f"no hidden input {name!r}"
    return html.unescape(match.group(1))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def fresh(reflection: Reflection) -> Reflection:
    return Reflection.objects.get(pk=reflection.pk)


def state_of(reflection: Reflection) -> dict:
    """Everything a request could change about a reflection, to compare before and after."""
    current = fresh(reflection)
    return {
        "fields": {
            field: getattr(current, field)
            for field in (
                *SECTION_FIELDS,
                "title",
                "family_id",
                "session_id",
                "checkin_score",
                "checkin_words",
                "kept_passages",
                "revision",
                "updated_at",
                "author_seen_at",
                "deleted_at",
                "author_id",
                "organization_id",
            )
        },
        "shares": list(
            ReflectionShare.objects.filter(reflection=current)
            .order_by("pk")
            .values_list("supervisor_id", "revoked_at", "first_read_at", "last_read_at")
        ),
        "responses": list(ReflectionResponse.objects.filter(reflection=current).values_list("author_id", "text")),
        "drafts": list(ResponseDraft.objects.filter(reflection=current).values_list("author_id", "text")),
        "versions": list(current.versions.values_list("number", "title", "sections", "saved_at")),
        "reflections": Reflection.objects.count(),
    }


# --- Access: every URL, every persona --------------------------------------------------------

# Pages that are not about one reflection, and the pages of one reflection with the methods they answer.
GENERAL_URLS = {
    "reflection_list": ["get"],
    "reflection_create": ["get", "post"],
    "reflection_children": ["get"],
    "reflection_deleted_list": ["get"],
    "reflection_insights": ["get"],
}
REFLECTION_URLS = {
    "reflection_detail": ["get"],
    "reflection_edit": ["get", "post"],
    "reflection_share": ["get", "post"],
    "reflection_unshare": ["post"],
    "response_create": ["post"],
    "response_draft": ["post"],
    "reflection_versions": ["get"],
    "reflection_delete": ["get", "post"],
    "reflection_restore": ["post"],
}
# What only the author may do.
AUTHOR_URLS = ["reflection_edit", "reflection_share", "reflection_unshare", "reflection_delete", "reflection_restore"]
# Everyone in the organizations who is neither the author nor a supervisor it is shared with.
OUTSIDERS = [
    "admin_user",
    "other_practitioner",
    "other_supervisor",
    "stranger",
    "stranger_supervisor",
    "stranger_admin",
]


def url_for(name: str, reflection: Reflection | None = None) -> str:
    return reverse(name) if name in GENERAL_URLS else reverse(name, args=[reflection.pk])


def attack(reflection: Reflection, *people: User) -> dict:
    """A POST that would change something on any reflection page, if it were accepted."""
    return {
        **edit_data(reflection, what_happened="Overwritten", title="Taken over"),
        "supervisors": [person.pk for person in people],
        "supervisor": [person.pk for person in people],
        "text": "A response from the wrong person",
    }


def test_these_tests_name_every_reflection_url():
    assert {pattern.name for pattern in reflection_urlpatterns} == set(GENERAL_URLS) | set(REFLECTION_URLS)


@pytest.mark.parametrize("name", [*GENERAL_URLS, *REFLECTION_URLS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, shared_reflection, name, method):
    before = state_of(shared_reflection)
    response = getattr(client, method)(url_for(name, shared_reflection), headers=AUTOSAVE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert state_of(shared_reflection) == before


@pytest.mark.parametrize("persona", ["admin_user", "stranger_admin"])
@pytest.mark.parametrize("name", list(GENERAL_URLS))
def test_administrators_who_do_not_write_reflections_get_no_reflection_pages(client, request, persona, name):
    client.force_login(request.getfixturevalue(persona))
    for method in GENERAL_URLS[name]:
        assert getattr(client, method)(reverse(name), form_data(what_happened="Mine")).status_code == 404, method
    assert not Reflection.objects.exists()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_nobody_else_reaches_any_page_of_a_reflection(client, request, persona, practitioner, shared_reflection):
    deleted = write(practitioner, what_happened="Deleted, still mine")
    services.reflection_delete(reflection=deleted)
    person = request.getfixturevalue(persona)
    client.force_login(person)
    before = [state_of(shared_reflection), state_of(deleted)]
    for reflection in [shared_reflection, deleted]:
        for name, methods in REFLECTION_URLS.items():
            url = url_for(name, reflection)
            for method in methods:
                response = getattr(client, method)(url, attack(reflection, person))
                assert response.status_code == 404, (name, method)
            if "post" in methods:
                response = client.post(url, attack(reflection, person), headers=AUTOSAVE)
                assert response.status_code == 404, (name, "autosave")
    assert [state_of(shared_reflection), state_of(deleted)] == before


def test_the_author_reaches_every_page_of_their_reflection(client, practitioner, shared_reflection):
    client.force_login(practitioner)
    for name in [*GENERAL_URLS, *REFLECTION_URLS]:
        if "get" in REFLECTION_URLS.get(name, GENERAL_URLS.get(name)):
            response = client.get(url_for(name, shared_reflection))
            assert response.status_code == 200, name
    content = text(client.get(url_for("reflection_detail", shared_reflection)))
    assert "K watched the water pour." in content
    assert "I wonder what K made of it." in content


def test_a_supervisor_it_is_shared_with_reads_and_responds_but_changes_nothing_else(
    client, supervisor, practitioner, shared_reflection
):
    client.force_login(supervisor)
    assert client.get(url_for("reflection_detail", shared_reflection)).status_code == 200
    assert client.get(url_for("reflection_versions", shared_reflection)).status_code == 200
    before = state_of(shared_reflection)
    for name in AUTHOR_URLS:
        for method in REFLECTION_URLS[name]:
            response = getattr(client, method)(url_for(name, shared_reflection), attack(shared_reflection, supervisor))
            assert response.status_code == 404, (name, method)
    response = client.post(url_for("reflection_edit", shared_reflection), attack(shared_reflection), headers=AUTOSAVE)
    assert response.status_code == 404
    assert state_of(shared_reflection) == before

    response = client.post(url_for("response_draft", shared_reflection), {"text": "Still thinking"})
    assert response.status_code == 200
    response = client.post(url_for("response_create", shared_reflection), {"text": "Thank you for this."})
    assert response.status_code == 302
    assert list(shared_reflection.responses.values_list("author", "text")) == [
        (supervisor.pk, "I wonder what K made of it."),
        (supervisor.pk, "Thank you for this."),
    ]


def test_after_unsharing_the_supervisor_finds_nothing_again(client, supervisor, practitioner, shared_reflection):
    client.force_login(practitioner)
    response = client.post(url_for("reflection_unshare", shared_reflection), {"supervisor": supervisor.pk})
    assert response.status_code == 302
    client.force_login(supervisor)
    before = state_of(shared_reflection)
    for name in REFLECTION_URLS:
        for method in REFLECTION_URLS[name]:
            response = getattr(client, method)(url_for(name, shared_reflection), {"text": "Too late"})
            assert response.status_code == 404, (name, method)
    assert state_of(shared_reflection) == before
    listed = client.get(reverse("reflection_list")).context["page"].object_list
    assert list(listed) == []


def test_sharing_with_one_supervisor_shows_nothing_to_another(
    client, organization, practitioner, supervisor, other_supervisor, shared_reflection
):
    client.force_login(other_supervisor)
    assert client.get(url_for("reflection_detail", shared_reflection)).status_code == 404
    assert list(client.get(reverse("reflection_list"), {"q": "water"}).context["page"].object_list) == []


@pytest.mark.parametrize("persona", ["practitioner", "supervisor"])
def test_a_deactivated_author_or_supervisor_reaches_nothing(client, request, persona, shared_reflection):
    person = request.getfixturevalue(persona)
    client.force_login(person)
    assert client.get(url_for("reflection_detail", shared_reflection)).status_code == 200
    person.is_active = False
    person.save()
    response = client.get(url_for("reflection_detail", shared_reflection))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not Reflection.objects.visible_to(person).exists()


def test_an_administrator_who_also_practises_sees_only_their_own(client, organization, shared_reflection):
    both = make_person(
        organization, "both@riverbend.example", "Bo Both", User.Role.ADMINISTRATOR, User.Role.PRACTITIONER
    )
    own = write(both, what_happened="Bo's own visit")
    client.force_login(both)
    assert list(client.get(reverse("reflection_list")).context["page"].object_list) == [own]
    for name in ["reflection_detail", "reflection_versions", "reflection_edit"]:
        assert client.get(url_for(name, shared_reflection)).status_code == 404, name


def test_a_colleague_on_the_same_family_sees_the_family_but_not_the_reflection(
    client, practitioner, other_practitioner, supervisor, family, shared_reflection
):
    family.practitioners.add(other_practitioner)
    private = write(practitioner, title="Private thoughts on JM-2", family=family)
    client.force_login(other_practitioner)
    response = client.get(reverse("family_detail", args=[family.pk]))
    assert response.status_code == 200
    assert response.context["reflections"] == []
    assert "Bath time at JM-2" not in text(response) and "Private thoughts" not in text(response)
    assert client.get(url_for("reflection_detail", private)).status_code == 404
    assert list(client.get(reverse("reflection_list"), {"q": "JM-2"}).context["page"].object_list) == []
    # The author sees both on the family page; the supervisor only what is shared with them.
    client.force_login(practitioner)
    assert set(client.get(reverse("family_detail", args=[family.pk])).context["reflections"]) == {
        shared_reflection,
        private,
    }
    client.force_login(supervisor)
    assert client.get(reverse("family_detail", args=[family.pk])).context["reflections"] == [shared_reflection]


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("reflection_list", "post"),
        ("reflection_create", "put"),
        ("reflection_children", "post"),
        ("reflection_deleted_list", "post"),
        ("reflection_insights", "post"),
        ("reflection_detail", "post"),
        ("reflection_edit", "delete"),
        ("reflection_share", "put"),
        ("reflection_unshare", "get"),
        ("response_create", "get"),
        ("response_draft", "get"),
        ("reflection_versions", "post"),
        ("reflection_delete", "put"),
        ("reflection_restore", "get"),
    ],
)
def test_reflection_pages_refuse_the_wrong_method(client, practitioner, shared_reflection, name, method):
    client.force_login(practitioner)
    before = state_of(shared_reflection)
    assert getattr(client, method)(url_for(name, shared_reflection)).status_code == 405
    assert state_of(shared_reflection) == before


def test_lists_hold_only_ones_own_reflections_and_those_shared_with_one(
    client,
    organization,
    practitioner,
    other_practitioner,
    supervisor,
    other_supervisor,
    agreement,
    stranger,
    stranger_supervisor,
):
    mine_private = write(practitioner, what_happened="A private crawling morning")
    mine_shared = write(practitioner, what_happened="A shared crawling morning")
    share(mine_shared, supervisor)
    SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=other_supervisor,
        supervisee=other_practitioner,
        starts_on=datetime.date(2026, 1, 1),
        **acknowledged(),
    )
    theirs = write(other_practitioner, what_happened="Their crawling morning")
    share(theirs, other_supervisor)
    supervisors_own = write(supervisor, what_happened="The supervisor's own crawling morning")
    abroad = write(stranger, what_happened="A crawling morning far away")
    SupervisionAgreement.objects.create(
        organization=stranger.organization,
        supervisor=stranger_supervisor,
        supervisee=stranger,
        starts_on=datetime.date(2026, 1, 1),
        **acknowledged(),
    )
    share(abroad, stranger_supervisor)

    def listed(person, **params):
        client.force_login(person)
        response = client.get(reverse("reflection_list"), params)
        assert response.status_code == 200
        return set(response.context["page"].object_list)

    for params in [{}, {"q": "crawling"}, {"show": "all", "state": ""}]:
        assert listed(practitioner, **params) == {mine_private, mine_shared}
        assert listed(supervisor, **params) == {mine_shared, supervisors_own}
        assert listed(other_supervisor, **params) == {theirs}
        assert listed(other_practitioner, **params) == {theirs}
        assert listed(stranger_supervisor, **params) == {abroad}
    assert listed(practitioner, show="mine", state="draft") == {mine_private}
    assert listed(practitioner, state="shared") == {mine_shared}
    assert listed(practitioner, show="shared") == set()
    assert listed(supervisor, show="shared") == {mine_shared}
    assert listed(supervisor, show="mine") == {supervisors_own}
    # Nonsense filters fall back to everything the person may read.
    assert listed(supervisor, show="everyone", state="secret", page="x") == {mine_shared, supervisors_own}
    assert "A private crawling morning" not in text(client.get(reverse("reflection_list")))


def test_a_deleted_reflection_vanishes_for_readers_and_only_the_author_restores_it(
    client, practitioner, supervisor, shared_reflection
):
    client.force_login(practitioner)
    assert client.get(url_for("reflection_delete", shared_reflection)).status_code == 200
    assert fresh(shared_reflection).deleted_at is None  # asking is not deleting
    response = client.post(url_for("reflection_delete", shared_reflection))
    assert response.status_code == 302
    assert response["Location"] == reverse("reflection_list")
    assert fresh(shared_reflection).deleted_at is not None
    assert list(client.get(reverse("reflection_list")).context["page"].object_list) == []
    deleted_page = client.get(reverse("reflection_deleted_list"))
    assert list(deleted_page.context["page"].object_list) == [shared_reflection]
    assert "Bath time at JM-2" in text(deleted_page)
    assert client.get(url_for("reflection_detail", shared_reflection)).status_code == 404
    assert client.get(url_for("reflection_edit", shared_reflection)).status_code == 404

    client.force_login(supervisor)
    assert client.get(url_for("reflection_detail", shared_reflection)).status_code == 404
    assert list(client.get(reverse("reflection_list")).context["page"].object_list) == []
    assert list(client.get(reverse("reflection_deleted_list")).context["page"].object_list) == []
    assert client.post(url_for("reflection_restore", shared_reflection)).status_code == 404
    assert fresh(shared_reflection).deleted_at is not None

    client.force_login(practitioner)
    response = client.post(url_for("reflection_restore", shared_reflection))
    assert response.status_code == 302
    assert response["Location"] == url_for("reflection_detail", shared_reflection)
    assert fresh(shared_reflection).deleted_at is None
    # Restoring what is not deleted finds nothing to restore.
    assert client.post(url_for("reflection_restore", shared_reflection)).status_code == 404
    client.force_login(supervisor)
    assert client.get(url_for("reflection_detail", shared_reflection)).status_code == 200


def test_the_django_admin_holds_no_reflective_content(client, shared_reflection):
    for model in [Reflection, ReflectionShare, ReflectionResponse, ReflectionVersion, ResponseDraft]:
        assert not admin.site.is_registered(model), model
    operator = User.objects.create_superuser(email="ops@rsc.example", password="op-password-123", full_name="Ops")
    client.force_login(operator)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "eflection" not in index.content.decode()
    for path in [
        "/admin/rsc/reflection/",
        f"/admin/rsc/reflection/{shared_reflection.pk}/change/",
        "/admin/rsc/reflectionversion/",
        "/admin/rsc/reflectionresponse/",
        "/admin/rsc/responsedraft/",
        "/admin/rsc/reflectionshare/",
    ]:
        assert client.get(path).status_code == 404, path
    # Nor through the pages of what the operator does manage.
    for url in [
        reverse("admin:rsc_family_change", args=[shared_reflection.family_id]),
        reverse("admin:rsc_supervisionsession_change", args=[shared_reflection.session_id]),
    ]:
        content = client.get(url).content.decode()
        assert "K watched the water pour" not in content and "Bath time" not in content, url
    # An operator account is not a writer of reflections either.
    assert client.get(reverse("reflection_detail", args=[shared_reflection.pk])).status_code == 404


# --- Mass assignment: ids the author may not use ---------------------------------------------


@pytest.fixture
def their_world(organization, other_practitioner, other_supervisor):
    """Another practitioner's family and their session with their own supervisor."""
    theirs = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=other_supervisor,
        supervisee=other_practitioner,
        starts_on=datetime.date(2026, 1, 1),
        **acknowledged(),
    )
    family = make_family(organization, other_practitioner, code="ZZ-9", children=[("B", datetime.date(2026, 1, 1))])
    return family, make_session(theirs)


@pytest.mark.parametrize("autosave", [False, True], ids=["save", "autosave"])
def test_a_new_reflection_refuses_families_and_sessions_the_author_may_not_use(
    client, practitioner, agreement, their_world, stranger, autosave
):
    their_family, their_session = their_world
    abroad = make_family(stranger.organization, stranger, code="FAR-1")
    client.force_login(practitioner)
    headers = AUTOSAVE if autosave else {}
    for field, value in [
        ("family", their_family.pk),
        ("family", abroad.pk),
        ("session", their_session.pk),
        ("family", "not-a-number"),
    ]:
        response = client.post(
            reverse("reflection_create"), form_data(what_happened="Plenty of words", **{field: value}), headers=headers
        )
        if autosave:
            assert response.status_code == 400, (field, value)
            assert response.json()["saved"] is False
            assert "Select a valid choice" in response.json()["message"]
        else:
            assert response.status_code == 200, (field, value)
            assert response.context["form"].errors[field]
    assert not Reflection.objects.exists()


def test_an_edit_refuses_another_practitioners_family_or_session(client, practitioner, their_world, family):
    their_family, their_session = their_world
    reflection = write(practitioner, family=family)
    before = state_of(reflection)
    client.force_login(practitioner)
    for overrides in [{"family": their_family.pk}, {"session": their_session.pk}]:
        data = edit_data(reflection, what_happened="Changed", **overrides)
        assert client.post(url_for("reflection_edit", reflection), data).status_code == 200
        assert client.post(url_for("reflection_edit", reflection), data, headers=AUTOSAVE).status_code == 400
    assert state_of(reflection) == before


def test_author_and_organization_in_the_post_are_ignored(
    client, practitioner, other_practitioner, other_organization, family
):
    client.force_login(practitioner)
    foreign = {
        "author": other_practitioner.pk,
        "author_id": other_practitioner.pk,
        "organization": other_organization.pk,
        "organization_id": other_organization.pk,
        "kept_passages": '["Jane Smith"]',
        "deleted_at": "2026-01-01",
        "author_seen_at": "2026-01-01",
    }
    assert (
        client.post(reverse("reflection_create"), {**form_data(what_happened="My own words"), **foreign}).status_code
        == 302
    )
    reflection = Reflection.objects.get()
    assert (reflection.author, reflection.organization_id) == (practitioner, practitioner.organization_id)
    assert (reflection.kept_passages, reflection.deleted_at, reflection.author_seen_at) == ([], None, None)
    response = client.post(
        url_for("reflection_edit", reflection), {**edit_data(reflection, wondering="More"), **foreign}
    )
    assert response.status_code == 302
    reflection = fresh(reflection)
    assert (reflection.author, reflection.organization_id) == (practitioner, practitioner.organization_id)
    assert (reflection.kept_passages, reflection.deleted_at, reflection.author_seen_at) == ([], None, None)
    assert (reflection.what_happened, reflection.wondering, reflection.revision) == ("My own words", "More", 2)
    client.force_login(other_practitioner)
    assert client.get(url_for("reflection_detail", reflection)).status_code == 404


def test_the_form_offers_only_the_authors_families_and_recent_sessions(
    client, practitioner, family, session, agreement, their_world
):
    their_family, their_session = their_world
    old = make_session(agreement, starts_at=NOW - datetime.timedelta(days=120))
    cancelled = make_session(agreement, status=SupervisionSession.Status.CANCELLED)
    client.force_login(practitioner)
    form = client.get(reverse("reflection_create")).context["form"]
    assert list(form.fields["family"].queryset) == [family]
    assert list(form.fields["session"].queryset) == [session]
    # Starting from a family or session page fills them in, but only with the author's own.
    form = client.get(reverse("reflection_create"), {"family": family.pk, "session": session.pk}).context["form"]
    assert (form.initial["family"], form.initial["session"]) == (family.pk, session.pk)
    form = client.get(reverse("reflection_create"), {"family": their_family.pk, "session": their_session.pk}).context[
        "form"
    ]
    assert "family" not in form.initial and "session" not in form.initial
    form = client.get(reverse("reflection_create"), {"session": old.pk}).context["form"]
    assert "session" not in form.initial
    assert cancelled not in form.fields["session"].queryset
    # A session chosen earlier stays on offer once it is out of the window.
    reflection = write(practitioner, session=session)
    with time_machine.travel(NOW + datetime.timedelta(days=200), tick=False):
        client.force_login(practitioner)
        response = client.get(url_for("reflection_edit", reflection))
        assert list(response.context["form"].fields["session"].queryset) == [session]
        response = client.post(url_for("reflection_edit", reflection), edit_data(reflection, wondering="Later"))
        assert response.status_code == 302
        assert fresh(reflection).session == session


def test_the_children_box_shows_only_the_authors_families(client, practitioner, family, their_world):
    their_family, _session = their_world
    client.force_login(practitioner)
    assert "K, 14 months" in text(client.get(reverse("reflection_children"), {"family": family.pk}))
    for value in [their_family.pk, "x", ""]:
        response = client.get(reverse("reflection_children"), {"family": value})
        assert response.status_code == 200
        assert response.content.decode().strip() == ""


@pytest.mark.parametrize("value", ["²", "٣", "1.0", "-1", "99999999999999999999999", "", "x"])
def test_odd_family_and_session_ids_in_the_address_never_fail(client, practitioner, family, session, value):
    client.force_login(practitioner)
    response = client.get(reverse("reflection_create"), {"family": value, "session": value})
    assert response.status_code == 200
    assert "family" not in response.context["form"].initial and "session" not in response.context["form"].initial
    response = client.get(reverse("reflection_children"), {"family": value})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


@pytest.mark.parametrize("change", ["family_deleted", "author_unassigned"])
def test_saving_the_text_keeps_the_family_chosen_earlier(client, organization, practitioner, family, change):
    reflection = write(practitioner, family=family)
    if change == "family_deleted":
        family.deleted_at = NOW
        family.save()
    else:
        family.practitioners.clear()
    client.force_login(practitioner)
    edit = client.get(url_for("reflection_edit", reflection))
    assert re.search(rf'<option value="{family.pk}" selected>JM-2</option>', edit.content.decode())
    response = client.post(
        url_for("reflection_edit", reflection), edit_data(reflection, wondering="More"), headers=AUTOSAVE
    )
    assert response.status_code == 200
    assert (fresh(reflection).family, fresh(reflection).wondering) == (family, "More")
    # It is not on offer for a new reflection, and leaving it is still the author's choice.
    assert family not in client.get(reverse("reflection_create")).context["form"].fields["family"].queryset
    client.post(url_for("reflection_edit", reflection), edit_data(reflection, family=""))
    assert fresh(reflection).family is None


def test_sharing_is_refused_with_anyone_but_the_authors_supervisors(
    client,
    organization,
    practitioner,
    supervisor,
    other_supervisor,
    other_practitioner,
    admin_user,
    agreement,
    stranger_supervisor,
    family,
):
    ended = make_person(organization, "lee@riverbend.example", "Lee Ended", User.Role.SUPERVISOR)
    SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=ended,
        supervisee=practitioner,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2026, 6, 14),
        **acknowledged(),
    )
    upcoming = make_person(organization, "ray@riverbend.example", "Ray Upcoming", User.Role.SUPERVISOR)
    SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=upcoming,
        supervisee=practitioner,
        starts_on=datetime.date(2026, 7, 1),
        **acknowledged(),
    )
    reflection = write(practitioner, family=family, baby_experience="K slept.")
    client.force_login(practitioner)
    response = client.get(url_for("reflection_share", reflection))
    assert list(response.context["form"].fields["supervisors"].queryset) == [supervisor]
    for person in [
        other_supervisor,
        stranger_supervisor,
        ended,
        upcoming,
        other_practitioner,
        admin_user,
        practitioner,
    ]:
        response = client.post(url_for("reflection_share", reflection), {"supervisors": [person.pk]})
        assert response.status_code == 200, person
        assert response.context["form"].errors["supervisors"], person
        # One allowed and one not: refused as a whole.
        response = client.post(url_for("reflection_share", reflection), {"supervisors": [supervisor.pk, person.pk]})
        assert response.status_code == 200, person
    assert not ReflectionShare.objects.exists()
    response = client.post(url_for("reflection_share", reflection), {"supervisors": []})
    assert "Choose at least one person to share with." in text(response)
    assert not ReflectionShare.objects.exists()


def test_the_supervisor_of_the_session_may_be_shared_with_without_an_agreement(
    client, practitioner, other_supervisor, group_session
):
    reflection = write(practitioner, session=group_session)
    client.force_login(practitioner)
    response = client.get(url_for("reflection_share", reflection))
    assert list(response.context["form"].fields["supervisors"].queryset) == [other_supervisor]
    assert response.context["form"].initial == {"supervisors": [other_supervisor.pk]}
    response = client.post(url_for("reflection_share", reflection), {"supervisors": [other_supervisor.pk]})
    assert response.status_code == 302
    assert list(reflection.shares.values_list("supervisor", flat=True)) == [other_supervisor.pk]
    client.force_login(other_supervisor)
    assert client.get(url_for("reflection_detail", reflection)).status_code == 200
    # Once the session is deleted, it no longer opens the door to new shares.
    group_session.deleted_at = NOW
    group_session.save()
    other = write(practitioner, session=group_session)
    client.force_login(practitioner)
    response = client.post(url_for("reflection_share", other), {"supervisors": [other_supervisor.pk]})
    assert response.status_code == 200
    assert not other.shares.exists()


def test_unsharing_someone_it_is_not_shared_with_changes_nothing(
    client, practitioner, supervisor, other_supervisor, shared_reflection
):
    client.force_login(practitioner)
    before = state_of(shared_reflection)
    for value in [other_supervisor.pk, "", "nobody"]:
        response = client.post(url_for("reflection_unshare", shared_reflection), {"supervisor": value})
        assert response.status_code == 302
        assert set(messages_of(response)) == {"That person did not have this reflection."}
    assert state_of(shared_reflection) == before


# --- Writing: autosave, explicit save, conflicts, bad input ----------------------------------


def test_autosave_creates_the_reflection_only_once_there_is_text(client, practitioner, family, session):
    client.force_login(practitioner)
    url = reverse("reflection_create")
    response = client.post(url, form_data(title="   ", wondering=" \n "), headers=AUTOSAVE)
    assert response.status_code == 200
    assert response.json() == {"saved": False, "message": ""}
    assert not Reflection.objects.exists()

    typed = "  K reached for the spoon.\n\nThen she looked away, at the door.  \n\n"
    response = client.post(
        url, form_data(family=family.pk, session=session.pk, baby_experience=typed), headers=AUTOSAVE
    )
    assert response.status_code == 200
    answer = response.json()
    reflection = Reflection.objects.get()
    assert answer["saved"] is True
    assert answer["created"] is True
    assert answer["edit_url"] == reverse("reflection_edit", args=[reflection.pk])
    assert (answer["revision"], answer["message"], answer["saved_at"]) == (1, "Saved at 10:00", "10:00")
    assert answer["warnings"].strip() == ""
    assert reflection.baby_experience == "  K reached for the spoon.\n\nThen she looked away, at the door."
    assert (reflection.author, reflection.family, reflection.session) == (practitioner, family, session)
    assert reflection.versions.count() == 1
    # The edit page the editor moves to shows the text exactly.
    assert textarea(client.get(answer["edit_url"]), "baby_experience") == reflection.baby_experience


def test_an_explicit_save_of_an_empty_reflection_asks_for_words(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("reflection_create"), form_data(what_happened="   "))
    assert response.status_code == 200
    assert "Write a few words in any section before saving." in text(response)
    assert not Reflection.objects.exists()
    reflection = write(practitioner)
    response = client.post(url_for("reflection_edit", reflection), edit_data(reflection, what_happened=""))
    assert response.status_code == 200
    assert "Write a few words in any section before saving." in text(response)
    assert fresh(reflection).what_happened == "We sat on the floor together."


def test_saving_redirects_to_the_reflection_or_on_to_sharing(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("reflection_create"), form_data(wondering="Why the door?"))
    reflection = Reflection.objects.get()
    assert response["Location"] == reflection.get_absolute_url()
    assert "Your reflection is saved." in messages_of(response)
    response = client.post(reverse("reflection_create"), form_data(wondering="Another", then="share"))
    assert response["Location"] == reverse("reflection_share", args=[Reflection.objects.latest("pk").pk])
    response = client.post(
        url_for("reflection_edit", reflection), edit_data(reflection, wondering="Why the door, again?", then="share")
    )
    assert response["Location"] == reverse("reflection_share", args=[reflection.pk])
    assert fresh(reflection).wondering == "Why the door, again?"


def test_autosave_of_an_edit_bumps_the_revision_and_says_when(client, practitioner, clock):
    reflection = write(practitioner)
    client.force_login(practitioner)
    clock.shift(minutes(7))
    response = client.post(
        url_for("reflection_edit", reflection),
        edit_data(reflection, wondering="What was the baby waiting for?"),
        headers=AUTOSAVE,
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["saved"] is True and answer["created"] is False
    assert (answer["revision"], answer["message"]) == (2, "Saved at 10:07")
    assert answer["edit_url"] == url_for("reflection_edit", reflection)
    reflection = fresh(reflection)
    assert (reflection.revision, reflection.wondering) == (2, "What was the baby waiting for?")
    # Nothing changed: nothing saved, the revision stays.
    response = client.post(url_for("reflection_edit", reflection), edit_data(reflection), headers=AUTOSAVE)
    assert response.json()["revision"] == 2
    assert fresh(reflection).revision == 2


def test_the_time_in_the_autosave_answer_is_in_the_writers_time_zone(client, practitioner):
    practitioner.time_zone = "Pacific/Auckland"
    practitioner.save()
    reflection = write(practitioner)
    client.force_login(practitioner)
    response = client.post(
        url_for("reflection_edit", reflection), edit_data(reflection, wondering="?"), headers=AUTOSAVE
    )
    # 10:00 in Chicago on 15 June is 03:00 the next day in Auckland.
    assert response.json()["message"] == "Saved at 03:00"


def test_a_stale_autosave_gets_a_conflict_with_both_texts_and_overwrites_nothing(client, practitioner, clock):
    reflection = write(practitioner, wondering="First words")
    stale = edit_data(reflection, wondering="Typed in this tab <b>here</b>")
    clock.shift(minutes(3))
    services.reflection_save(
        reflection=reflection, actor=practitioner, data={"wondering": "Saved in the other tab"}, expected_revision=1
    )
    before = state_of(reflection)
    client.force_login(practitioner)
    response = client.post(url_for("reflection_edit", reflection), stale, headers=AUTOSAVE)
    assert response.status_code == 409
    answer = response.json()
    assert (answer["conflict"], answer["revision"]) == (True, 2)
    page = html.unescape(answer["html"])
    assert "Saved in the other tab" in page
    assert "Typed in this tab <b>here</b>" in page
    assert "&lt;b&gt;here&lt;/b&gt;" in answer["html"]
    assert 'data-revision="2"' in answer["html"]
    assert state_of(reflection) == before
    # Keeping the text in this window: the editor posts again naming the revision it was shown.
    response = client.post(url_for("reflection_edit", reflection), {**stale, "revision": "2"}, headers=AUTOSAVE)
    assert response.status_code == 200
    assert (response.json()["revision"], fresh(reflection).wondering) == (3, "Typed in this tab <b>here</b>")


def test_a_stale_explicit_save_shows_both_texts_and_keeps_the_typing(client, practitioner, clock):
    reflection = write(practitioner, wondering="First words")
    stale = edit_data(reflection, wondering="Typed in this tab", next_steps="  Ask about nights.\nAnd naps.")
    clock.shift(minutes(3))
    services.reflection_save(
        reflection=reflection, actor=practitioner, data={"wondering": "Saved in the other tab"}, expected_revision=1
    )
    before = state_of(reflection)
    client.force_login(practitioner)
    response = client.post(url_for("reflection_edit", reflection), stale)
    assert response.status_code == 409
    content = text(response)
    assert "This reflection was saved somewhere else meanwhile" in content
    assert "Saved in the other tab" in content
    # The form keeps what was typed, and names the newer revision, so saving again is a choice.
    assert textarea(response, "wondering") == "Typed in this tab"
    assert textarea(response, "next_steps") == "  Ask about nights.\nAnd naps."
    assert hidden_value(response, "revision") == "2"
    assert hidden_value(response, "sitting") == "sitting-one"
    assert state_of(reflection) == before

    response = client.post(url_for("reflection_edit", reflection), {**stale, "revision": "2"})
    assert response.status_code == 302
    reflection = fresh(reflection)
    assert (reflection.wondering, reflection.next_steps) == ("Typed in this tab", "  Ask about nights.\nAnd naps.")
    assert reflection.revision == 3


@pytest.mark.parametrize(
    "bad",
    [
        {"checkin_score": "9"},
        {"checkin_score": "0"},
        {"checkin_score": "three"},
        {"title": "x" * 121},
        {"checkin_words": "y" * 61},
        {"wondering": "z" * 20001},
        {"revision": "-1"},
        {"revision": "one"},
        {"revision": ""},
        {"sitting": "s" * 33},
        {"title": "null \x00 byte"},
    ],
    ids=lambda bad: next(iter(bad)) + ":" + str(next(iter(bad.values())))[:8],
)
def test_invalid_input_saves_nothing(client, practitioner, bad):
    reflection = write(practitioner)
    before = state_of(reflection)
    client.force_login(practitioner)
    url = url_for("reflection_edit", reflection)
    data = edit_data(reflection, **{"wondering": "New words", **bad})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors
    response = client.post(url, data, headers=AUTOSAVE)
    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert response.json()["message"].startswith("Not saved: ")
    assert state_of(reflection) == before
    for headers in [{}, AUTOSAVE]:
        response = client.post(
            reverse("reflection_create"), form_data(**{"wondering": "New words", **bad}), headers=headers
        )
        assert response.status_code in {200, 400}
    assert Reflection.objects.count() == 1


def test_identifying_text_is_pointed_out_and_not_saved_until_kept(client, practitioner):
    client.force_login(practitioner)
    data = form_data(caregiver_experience=f"Mom asked me to {PHONE_PASSAGE} if the visit moves.")
    response = client.post(reverse("reflection_create"), data)
    assert response.status_code == 200
    content = text(response)
    assert "Could this identify someone?" in content
    assert "A phone number, in “The caregivers’ experience”:" in content
    assert "612-555-0147" in content
    assert textarea(response, "caregiver_experience") == data["caregiver_experience"]
    assert not Reflection.objects.exists()

    response = client.post(
        reverse("reflection_create"), {**data, "keep_identifying": "on", "keep_passage": "612-555-0147"}
    )
    assert response.status_code == 302
    reflection = Reflection.objects.get()
    assert reflection.caregiver_experience == data["caregiver_experience"]
    assert reflection.kept_passages == ["612-555-0147"]
    # A passage once kept is not pointed out again.
    response = client.post(url_for("reflection_edit", reflection), edit_data(reflection, wondering="Later"))
    assert response.status_code == 302
    assert fresh(reflection).wondering == "Later"


def test_editing_in_identifying_text_warns_and_keeps_the_old_text(client, practitioner):
    reflection = write(practitioner)
    before = state_of(reflection)
    client.force_login(practitioner)
    data = edit_data(reflection, title="Jane Smith visit", next_steps=PHONE_PASSAGE)
    response = client.post(url_for("reflection_edit", reflection), data)
    assert response.status_code == 200
    content = text(response)
    assert "A full name, in “Title”:" in content and "Jane Smith" in content
    assert "A phone number, in “Next steps”:" in content
    assert state_of(reflection) == before
    shown = ["Jane Smith", "612-555-0147"]
    response = client.post(
        url_for("reflection_edit", reflection), {**data, "keep_identifying": "on", "keep_passage": shown}
    )
    assert response.status_code == 302
    reflection = fresh(reflection)
    assert (reflection.title, reflection.next_steps) == ("Jane Smith visit", PHONE_PASSAGE)
    assert set(reflection.kept_passages) == {"Jane Smith", "612-555-0147"}


def test_keeping_passages_keeps_only_those_the_warning_showed(client, practitioner):
    reflection = write(practitioner)
    client.force_login(practitioner)
    # The warning showed the phone number; an email address typed since was never shown.
    data = edit_data(reflection, next_steps=f"{PHONE_PASSAGE} or write to mom@example.org")
    response = client.post(
        url_for("reflection_edit", reflection),
        {**data, "keep_identifying": "on", "keep_passage": ["612-555-0147", "something never found"]},
        headers=AUTOSAVE,
    )
    answer = response.json()
    assert fresh(reflection).kept_passages == ["612-555-0147"]
    assert "mom@example.org" in answer["warnings"] and "612-555-0147" not in answer["warnings"]


def test_autosave_keeps_identifying_text_but_says_so(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("reflection_create"), form_data(next_steps=PHONE_PASSAGE), headers=AUTOSAVE)
    answer = response.json()
    assert answer["saved"] is True
    # Nothing typed is lost, but the warning travels with the answer.
    assert Reflection.objects.get().next_steps == PHONE_PASSAGE
    assert "612-555-0147" in answer["warnings"]
    assert 'name="keep_identifying"' in answer["warnings"]
    reflection = Reflection.objects.get()
    response = client.post(
        url_for("reflection_edit", reflection),
        edit_data(reflection, wondering="More", keep_identifying="on", keep_passage="612-555-0147"),
        headers=AUTOSAVE,
    )
    assert response.json()["warnings"].strip() == ""
    assert fresh(reflection).kept_passages == ["612-555-0147"]


def test_text_round_trips_exactly_but_for_trailing_whitespace(client, practitioner):
    typed = {
        "what_happened": "    Indented, as typed.\n\n\tA tab, and two blank lines after:\n\n\nThe end.",
        "baby_experience": "\nStarts on a new line: «K» — 14 mois, ça va. 😊 ñ ü 漢字",
        "own_response": "Line one\nLine two   \n   \n",
        "wondering": "<b>not bold</b> & {{ not a variable }} {% not a tag %}",
    }
    client.force_login(practitioner)
    response = client.post(reverse("reflection_create"), form_data(title="  Sunday — K  ", **typed))
    assert response.status_code == 302
    reflection = Reflection.objects.get()
    assert reflection.title == "Sunday — K"
    for field, value in typed.items():
        assert getattr(reflection, field) == value.rstrip(), field
    edit = client.get(url_for("reflection_edit", reflection))
    for field in typed:
        assert textarea(edit, field) == getattr(reflection, field), field
    # Saving the page again, unchanged, changes nothing.
    response = client.post(url_for("reflection_edit", reflection), edit_data(reflection))
    assert response.status_code == 302
    assert fresh(reflection).texts() == reflection.texts()
    assert fresh(reflection).revision == 1


# --- Versions --------------------------------------------------------------------------------


def autosave(client, reflection: Reflection, sitting: str, **sections):
    response = client.post(
        url_for("reflection_edit", reflection), edit_data(reflection, sitting=sitting, **sections), headers=AUTOSAVE
    )
    assert response.status_code == 200, response.content
    assert response.json()["saved"] is True
    return response


def versions_of(reflection: Reflection) -> list[tuple[int, str]]:
    return list(reflection.versions.order_by("number").values_list("number", "sections__wondering"))


def test_autosaves_in_one_sitting_make_one_version_and_a_new_sitting_another(client, practitioner, clock):
    client.force_login(practitioner)
    client.post(reverse("reflection_create"), form_data(wondering="One", sitting="morning"), headers=AUTOSAVE)
    reflection = Reflection.objects.get()
    for words in ["One two", "One two three"]:
        clock.shift(minutes(1))
        autosave(client, reflection, "morning", wondering=words)
    assert versions_of(reflection) == [(1, "One two three")]

    # Opening the editor again, after a break (and signing in again), is a new sitting.
    clock.shift(minutes(60))
    client.force_login(practitioner)
    sitting = client.get(url_for("reflection_edit", reflection)).context["form"].initial["sitting"]
    assert sitting and sitting != "morning"
    for words in ["Afternoon", "Afternoon thoughts"]:
        clock.shift(minutes(1))
        autosave(client, reflection, sitting, wondering=words)
    assert versions_of(reflection) == [(1, "One two three"), (2, "Afternoon thoughts")]
    # A change to the check-in alone is no new text, and no new version.
    client.post(url_for("reflection_edit", reflection), edit_data(reflection, checkin_score="4", sitting="evening"))
    assert fresh(reflection).checkin_score == 4
    assert versions_of(reflection) == [(1, "One two three"), (2, "Afternoon thoughts")]


def test_what_a_supervisor_read_is_kept_as_its_own_version(client, practitioner, supervisor, agreement, clock):
    reflection = write(practitioner, sitting="morning", wondering="Before sharing")
    share(reflection, supervisor)
    author = Client()
    author.force_login(practitioner)
    clock.shift(minutes(1))
    # The text as it was shared stays a version of its own, even within the same sitting.
    autosave(author, reflection, "morning", wondering="What the supervisor reads")
    assert versions_of(reflection) == [(1, "Before sharing"), (2, "What the supervisor reads")]

    clock.shift(minutes(1))
    client.force_login(supervisor)
    assert "What the supervisor reads" in text(client.get(url_for("reflection_detail", reflection)))

    # The author goes on writing in the same sitting: a new version starts, the read one stays.
    for words in ["Written after the reading", "Written after the reading, and more"]:
        clock.shift(minutes(1))
        autosave(author, reflection, "morning", wondering=words)
    assert versions_of(reflection) == [
        (1, "Before sharing"),
        (2, "What the supervisor reads"),
        (3, "Written after the reading, and more"),
    ]


def test_reading_the_versions_page_counts_as_reading(client, practitioner, supervisor, agreement, clock):
    reflection = write(practitioner, sitting="morning", wondering="Read on the versions page")
    clock.shift(minutes(1))
    share(reflection, supervisor)
    client.force_login(supervisor)
    assert "Read on the versions page" in text(client.get(url_for("reflection_versions", reflection)))
    assert reflection.shares.get().last_read_at == NOW + minutes(1)
    clock.shift(minutes(1))
    client.force_login(practitioner)
    autosave(client, reflection, "morning", wondering="Written afterwards")
    assert versions_of(reflection) == [(1, "Read on the versions page"), (2, "Written afterwards")]
    # The author's own visit to the versions page is no reading by someone else.
    client.get(url_for("reflection_versions", reflection))
    clock.shift(minutes(1))
    autosave(client, reflection, "morning", wondering="Written afterwards, and more")
    assert versions_of(reflection) == [(1, "Read on the versions page"), (2, "Written afterwards, and more")]


def test_the_versions_page_shows_earlier_text_to_the_author_and_what_was_shared_to_the_supervisor(
    client, practitioner, supervisor, agreement, clock
):
    reflection = write(practitioner, sitting="one", wondering="The first wondering", checkin_words="Tired today")
    clock.shift(minutes(90))
    services.reflection_save(
        reflection=reflection,
        actor=practitioner,
        data={"wondering": "The second wondering", "checkin_words": "Better now"},
        expected_revision=1,
        sitting="two",
    )
    share(reflection, supervisor)
    for person in [practitioner, supervisor]:
        client.force_login(person)
        response = client.get(url_for("reflection_versions", reflection))
        assert response.status_code == 200
        content = text(response)
        assert "The second wondering" in content
        assert "saved 15 Jun 2026, 11:30 by Pat Practitioner" in content
        assert "Tired today" not in content and "Better now" not in content
        if person == practitioner:
            assert "The first wondering" in content
            assert content.index("Version 2") < content.index("Version 1")
        else:
            # Written before it was shared: not the supervisor's to read.
            assert "The first wondering" not in content and "Version 1" not in content


def test_versions_are_paginated_ten_a_page(client, practitioner, clock):
    reflection = write(practitioner, sitting="s0")
    for number in range(1, 12):
        clock.shift(minutes(1))
        services.reflection_save(
            reflection=reflection,
            actor=practitioner,
            data={"wondering": f"Sitting {number}"},
            expected_revision=number,
            sitting=f"s{number}",
        )
    client.force_login(practitioner)
    response = client.get(url_for("reflection_versions", reflection))
    assert [version.number for version in response.context["page"].object_list] == list(range(12, 2, -1))
    response = client.get(url_for("reflection_versions", reflection), {"page": "2"})
    assert [version.number for version in response.context["page"].object_list] == [2, 1]
    assert client.get(url_for("reflection_versions", reflection), {"page": "zz"}).status_code == 200


# --- The private check-in --------------------------------------------------------------------


def test_the_check_in_is_for_the_authors_eyes_only(client, practitioner, supervisor, shared_reflection, session):
    client.force_login(practitioner)
    content = text(client.get(url_for("reflection_detail", shared_reflection)))
    assert "Your check-in" in content and "2/5 · Wrung out" in content
    assert "Wrung out" in text(client.get(reverse("reflection_insights")))
    assert "Wrung out" not in text(client.get(url_for("reflection_versions", shared_reflection)))

    client.force_login(supervisor)
    for url in [
        url_for("reflection_detail", shared_reflection),
        url_for("reflection_versions", shared_reflection),
        reverse("reflection_list"),
        reverse("reflection_insights"),
        reverse("home"),
        reverse("session_prepare", args=[session.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        content = text(response)
        assert "Wrung out" not in content, url
        assert "2/5" not in content, url
    for url in [url_for("reflection_detail", shared_reflection), url_for("reflection_versions", shared_reflection)]:
        assert "check-in" not in text(client.get(url)).lower(), url
    # The supervisor's own page of check-ins holds their own: none.
    response = client.get(reverse("reflection_insights"))
    assert response.context["checkins"] == [] and response.context["total"] == 0


# --- Sharing, with the baby in mind ----------------------------------------------------------


def test_the_share_page_asks_about_the_young_child_when_the_babys_section_is_empty(
    client, practitioner, supervisor, agreement, family
):
    reflection = write(practitioner, family=family)
    client.force_login(practitioner)
    response = client.get(url_for("reflection_share", reflection))
    assert response.status_code == 200
    prompt = response.context["prompt"]
    assert prompt.child.label == "K"
    assert "K (14 months)" in prompt.question
    content = text(response)
    assert "Before you share: the baby" in content
    assert "K (14 months)" in content
    assert "Add these words and share" in content and "Share as it is" in content

    response = client.post(
        url_for("reflection_share", reflection),
        {"supervisors": [supervisor.pk], "baby_words": "  K kept looking at the door.  ", "baby": "add"},
    )
    assert response.status_code == 302
    assert response["Location"] == reflection.get_absolute_url()
    reflection = fresh(reflection)
    assert reflection.baby_experience == "K kept looking at the door."
    assert reflection.what_happened == "We sat on the floor together."
    assert reflection.revision == 2
    assert reflection.versions.first().sections["baby_experience"] == "K kept looking at the door."
    assert list(reflection.shares.values_list("supervisor", flat=True)) == [supervisor.pk]
    assert "Shared with Sasha Supervisor." in messages_of(response)


def test_sharing_as_it_is_leaves_the_babys_section_alone(client, practitioner, supervisor, agreement, family):
    reflection = write(practitioner, family=family)
    before = fresh(reflection)
    client.force_login(practitioner)
    response = client.post(
        url_for("reflection_share", reflection),
        {"supervisors": [supervisor.pk], "baby_words": "Words I changed my mind about", "baby": "skip"},
    )
    assert response.status_code == 302
    after = fresh(reflection)
    assert (after.baby_experience, after.revision, after.texts()) == ("", before.revision, before.texts())
    assert after.shares.get().supervisor == supervisor


def test_the_baby_prompt_names_the_youngest_and_a_child_on_the_way(client, organization, practitioner, agreement):
    family = make_family(
        organization,
        practitioner,
        code="AB-1",
        children=[("T", datetime.date(2024, 2, 1)), ("Bean", datetime.date(2026, 9, 1), True)],
    )
    reflection = write(practitioner, family=family)
    client.force_login(practitioner)
    prompt = client.get(url_for("reflection_share", reflection)).context["prompt"]
    assert prompt.child.label == "Bean"
    assert "Bean (due in 13 weeks)" in prompt.question


@pytest.mark.parametrize("case", ["older_child_only", "no_family", "babys_section_written"])
def test_no_baby_prompt_without_a_young_child_or_when_the_baby_is_already_there(
    client, organization, practitioner, supervisor, agreement, family, case
):
    if case == "older_child_only":
        older = make_family(organization, practitioner, code="OL-5", children=[("M", datetime.date(2020, 3, 1))])
        reflection = write(practitioner, family=older)
    elif case == "no_family":
        reflection = write(practitioner)
    else:
        reflection = write(practitioner, family=family, baby_experience="K fussed.")
    client.force_login(practitioner)
    response = client.get(url_for("reflection_share", reflection))
    assert response.context["prompt"] is None
    content = text(response)
    assert "Before you share: the baby" not in content
    assert 'name="baby_words"' not in content
    # Words sent anyway are not added.
    before = fresh(reflection).baby_experience
    response = client.post(url_for("reflection_share", reflection), {"supervisors": [supervisor.pk], "baby_words": "X"})
    assert response.status_code == 302
    assert fresh(reflection).baby_experience == before
    assert reflection.shares.count() == 1


def test_the_share_page_warns_about_identifying_text_and_marks_who_already_has_it(
    client, practitioner, supervisor, agreement, family
):
    reflection = write(practitioner, family=family, next_steps=PHONE_PASSAGE, baby_experience="K")
    share(reflection, supervisor)
    client.force_login(practitioner)
    content = words(client.get(url_for("reflection_share", reflection)))
    assert "Could this identify someone?" in content and "612-555-0147" in content
    assert "Sasha Supervisor (already shared)" in content
    # Sharing (again) waits until the passage is kept; with the same person it adds no second share.
    data = {"supervisors": [supervisor.pk]}
    assert client.post(url_for("reflection_share", reflection), data).status_code == 200
    data.update(keep_identifying="on", keep_passage="612-555-0147")
    assert client.post(url_for("reflection_share", reflection), data).status_code == 302
    assert reflection.shares.count() == 1


def test_shared_reflections_are_on_the_supervisors_preparation_page(
    client, practitioner, supervisor, agreement, session, family
):
    for_session = write(practitioner, title="For Wednesday", session=session, family=family)
    share(for_session, supervisor)
    write(practitioner, title="Private for Wednesday", session=session)
    unrelated_read = write(practitioner, title="Read already")
    share(unrelated_read, supervisor)
    services.mark_read(reflection=unrelated_read, reader=supervisor)
    unrelated_unread = write(practitioner, title="Not read yet, no session")
    share(unrelated_unread, supervisor)

    client.force_login(supervisor)
    response = client.get(reverse("session_prepare", args=[session.pk]))
    assert response.status_code == 200
    assert set(response.context["shared_reflections"]) == {for_session, unrelated_unread}
    content = text(response)
    assert "For Wednesday" in content and "Pat Practitioner · JM-2 · for this session" in content
    assert "Private for Wednesday" not in content and "Read already" not in content

    services.reflection_unshare(reflection=for_session, supervisor_id=supervisor.pk)
    response = client.get(reverse("session_prepare", args=[session.pk]))
    assert list(response.context["shared_reflections"]) == [unrelated_unread]
    # The participant's own view of the session has no preparation page.
    client.force_login(practitioner)
    assert client.get(reverse("session_prepare", args=[session.pk])).status_code == 404


def test_unsharing_keeps_the_share_with_what_was_read(client, practitioner, supervisor, shared_reflection, clock):
    client.force_login(supervisor)
    client.get(url_for("reflection_detail", shared_reflection))
    clock.shift(minutes(30))
    client.force_login(practitioner)
    response = client.post(url_for("reflection_unshare", shared_reflection), {"supervisor": supervisor.pk})
    assert response.status_code == 302
    assert "No longer shared with that person." in messages_of(response)
    share_row = ReflectionShare.objects.get(reflection=shared_reflection)
    assert share_row.revoked_at == NOW + minutes(30)
    assert share_row.first_read_at == share_row.last_read_at == NOW
    content = text(client.get(url_for("reflection_detail", shared_reflection)))
    assert "Only you. It is a private draft until you share it." in content
    assert "Shared before: Sasha Supervisor (15 Jun to 15 Jun, read)" in content
    # Sharing again makes a new share; the old one stays as it was.
    share(shared_reflection, supervisor)
    assert shared_reflection.shares.count() == 2
    assert ReflectionShare.objects.get(pk=share_row.pk).revoked_at == NOW + minutes(30)


# --- Responses -------------------------------------------------------------------------------


def test_the_author_sees_new_responses_on_home_until_opening_the_reflection(
    client, practitioner, supervisor, agreement, clock
):
    reflection = write(practitioner, title="Nap time")
    share(reflection, supervisor)
    client.force_login(practitioner)
    assert client.get(reverse("home")).context["reflections_with_responses"] == []

    clock.shift(minutes(5))
    services.response_add(reflection=reflection, author=supervisor, text="What did K do then?")
    services.response_add(reflection=reflection, author=practitioner, text="My own reply is not news to me.")
    response = client.get(reverse("home"))
    (listed,) = response.context["reflections_with_responses"]
    assert (listed, listed.new_responses) == (reflection, 1)
    assert "New responses to your reflections" in text(response) and "Nap time" in text(response)
    assert client.get(reverse("reflection_list")).context["page"].object_list[0].new_responses == 1

    clock.shift(minutes(5))
    detail = client.get(url_for("reflection_detail", reflection))
    assert "New" in words(detail)
    assert len(detail.context["new_ids"]) == 1
    assert client.get(reverse("home")).context["reflections_with_responses"] == []
    assert client.get(reverse("reflection_list")).context["page"].object_list[0].new_responses == 0


def test_the_supervisor_sees_what_was_shared_and_not_read_on_home(client, practitioner, supervisor, agreement):
    reflection = write(practitioner, title="Nap time")
    share(reflection, supervisor)
    client.force_login(supervisor)
    assert client.get(reverse("home")).context["reflections_shared_unread"] == [reflection]
    client.get(url_for("reflection_detail", reflection))
    assert client.get(reverse("home")).context["reflections_shared_unread"] == []
    share_row = reflection.shares.get()
    assert share_row.first_read_at == share_row.last_read_at == NOW


def test_a_supervisor_responds_and_the_author_reads_it(client, practitioner, supervisor, agreement):
    reflection = write(practitioner)
    share(reflection, supervisor)
    client.force_login(supervisor)
    response = client.post(url_for("response_create", reflection), {"text": "  Line one.\nLine two.  "})
    assert response.status_code == 302
    assert response["Location"] == reflection.get_absolute_url() + "#thread"
    assert ReflectionResponse.objects.get().text == "Line one.\nLine two."
    client.force_login(practitioner)
    content = client.get(url_for("reflection_detail", reflection)).content.decode()
    assert "Line one.<br>Line two." in content
    # The author may answer in the thread too.
    assert client.post(url_for("response_create", reflection), {"text": "Thank you."}).status_code == 302
    assert list(ReflectionResponse.objects.values_list("author", flat=True)) == [supervisor.pk, practitioner.pk]


@pytest.mark.parametrize("typed", ["", "   \n ", "x" * 4001], ids=["empty", "blank", "too-long"])
def test_an_invalid_response_saves_nothing(client, supervisor, shared_reflection, typed):
    client.force_login(supervisor)
    before = state_of(shared_reflection)
    response = client.post(url_for("response_create", shared_reflection), {"text": typed})
    assert response.status_code == 400
    assert response.context["response_form"].errors["text"]
    assert textarea(response, "text") == typed or not typed.strip()
    assert state_of(shared_reflection) == before


def test_an_invalid_response_keeps_the_page_as_it_was_for_the_author(
    client, practitioner, supervisor, shared_reflection
):
    client.force_login(practitioner)
    page = words(client.get(url_for("reflection_detail", shared_reflection)))
    response = client.post(url_for("response_create", shared_reflection), {"text": ""})
    assert response.status_code == 400
    again = words(response)
    assert "Write a few words before sending." in again
    # Still says who can read it, and shows the author's own check-in, as the page did.
    for phrase in ["Who can read it", "Sasha Supervisor", "Stop sharing", "Your check-in", "2/5 · Wrung out"]:
        assert phrase in page and phrase in again, phrase
    assert "It is a private draft until you share it" not in again


def test_the_response_draft_autosaves_and_comes_back_until_sent(client, supervisor, shared_reflection, clock):
    client.force_login(supervisor)
    url = url_for("response_draft", shared_reflection)
    clock.shift(minutes(4))
    typed = "\nI keep thinking about the water.\n"
    response = client.post(url, {"text": typed}, headers=AUTOSAVE)
    assert response.status_code == 200
    assert response.json() == {"saved": True, "message": "Draft saved at 10:04"}
    assert ResponseDraft.objects.get(author=supervisor).text == typed
    assert textarea(client.get(url_for("reflection_detail", shared_reflection)), "text") == typed

    for bad in ["y" * 4001, "NUL \x00 byte"]:
        response = client.post(url, {"text": bad}, headers=AUTOSAVE)
        assert response.status_code == 400
        assert response.json()["saved"] is False
        assert response.json()["message"].startswith("Not saved: ")
        assert ResponseDraft.objects.get(author=supervisor).text == typed
    # Clearing the box is a draft too: an empty one.
    assert client.post(url, {"text": ""}, headers=AUTOSAVE).json()["saved"] is True
    assert ResponseDraft.objects.get(author=supervisor).text == ""
    client.post(url, {"text": typed}, headers=AUTOSAVE)

    client.post(url_for("response_create", shared_reflection), {"text": typed})
    assert not ResponseDraft.objects.filter(author=supervisor).exists()
    assert textarea(client.get(url_for("reflection_detail", shared_reflection)), "text") == ""


def test_drafts_are_each_persons_own(client, practitioner, supervisor, shared_reflection):
    client.force_login(practitioner)
    assert textarea(client.get(url_for("reflection_detail", shared_reflection)), "text") == ""
    client.post(url_for("response_draft", shared_reflection), {"text": "The author's draft"})
    client.force_login(supervisor)
    assert textarea(client.get(url_for("reflection_detail", shared_reflection)), "text") == "Half a thought"


def test_responses_only_once_shared(client, practitioner, supervisor, agreement):
    reflection = write(practitioner)
    client.force_login(practitioner)
    detail = client.get(url_for("reflection_detail", reflection))
    assert detail.context["response_form"] is None
    assert 'name="text"' not in detail.content.decode()
    assert client.post(url_for("response_create", reflection), {"text": "Hello"}).status_code == 404
    assert client.post(url_for("response_draft", reflection), {"text": "Hello"}).status_code == 404
    assert not ReflectionResponse.objects.exists() and not ResponseDraft.objects.exists()


# --- CSRF, and GETs that change nothing ------------------------------------------------------


def test_every_post_needs_the_csrf_token(practitioner, supervisor, shared_reflection):
    deleted = write(practitioner, what_happened="Deleted")
    services.reflection_delete(reflection=deleted)
    author = Client(enforce_csrf_checks=True)
    author.force_login(practitioner)
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(supervisor)
    before = [state_of(shared_reflection), state_of(deleted)]
    posts = [
        (author, reverse("reflection_create"), form_data(what_happened="New")),
        (author, url_for("reflection_edit", shared_reflection), edit_data(shared_reflection, what_happened="Changed")),
        (author, url_for("reflection_share", shared_reflection), {"supervisors": [supervisor.pk]}),
        (author, url_for("reflection_unshare", shared_reflection), {"supervisor": supervisor.pk}),
        (author, url_for("reflection_delete", shared_reflection), {}),
        (author, url_for("reflection_restore", deleted), {}),
        (author, url_for("response_create", shared_reflection), {"text": "Mine"}),
        (author, url_for("response_draft", shared_reflection), {"text": "Mine"}),
        (reader, url_for("response_create", shared_reflection), {"text": "Theirs"}),
        (reader, url_for("response_draft", shared_reflection), {"text": "Theirs"}),
    ]
    for client, url, data in posts:
        for headers in [{}, AUTOSAVE]:
            response = client.post(url, data, headers=headers)
            assert response.status_code == 403, (url, headers)
    assert [state_of(shared_reflection), state_of(deleted)] == before
    # With the token, the same request goes through.
    author.get(url_for("reflection_edit", shared_reflection))
    token = author.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = author.post(
        url_for("reflection_edit", shared_reflection),
        edit_data(shared_reflection, what_happened="Changed"),
        headers={**AUTOSAVE, "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert fresh(shared_reflection).what_happened == "Changed"


def test_reading_pages_changes_nothing_but_the_time_of_reading(client, practitioner, supervisor, shared_reflection):
    def content_state():
        state = state_of(shared_reflection)
        state["fields"].pop("author_seen_at")
        state["shares"] = [row[:2] for row in state["shares"]]
        return state

    before = content_state()
    for person in [practitioner, supervisor]:
        client.force_login(person)
        for name, methods in {**GENERAL_URLS, **REFLECTION_URLS}.items():
            if "get" in methods:
                expected = 404 if person == supervisor and name in AUTHOR_URLS else 200
                assert client.get(url_for(name, shared_reflection)).status_code == expected, name
        assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("session_prepare", args=[shared_reflection.session_id])).status_code == 200
    assert content_state() == before
    assert Reflection.objects.count() == 1


# --- Escaping and headers --------------------------------------------------------------------

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def assert_escaped(response, *, shown: bool = True) -> None:
    content = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in content
    assert "<img src=x" not in content
    if shown:
        assert escape(PAYLOAD) in content


def test_script_in_every_field_comes_back_as_text_everywhere(
    client, practitioner, supervisor, agreement, family, session
):
    client.force_login(practitioner)
    data = form_data(
        title=PAYLOAD,
        family=family.pk,
        session=session.pk,
        checkin_score="3",
        checkin_words=PAYLOAD,
        keep_identifying="on",
        **dict.fromkeys(SECTION_FIELDS, PAYLOAD),
    )
    response = client.post(reverse("reflection_create"), data, headers=AUTOSAVE)
    assert response.json()["saved"] is True
    reflection = Reflection.objects.get()
    assert reflection.texts() == dict.fromkeys(SECTION_FIELDS, PAYLOAD)
    assert (reflection.title, reflection.checkin_words) == (PAYLOAD, PAYLOAD)
    share(reflection, supervisor)
    services.response_add(reflection=reflection, author=supervisor, text=PAYLOAD)
    services.response_draft_save(reflection=reflection, author=supervisor, text=PAYLOAD)

    assert_escaped(client.get(reverse("home")))
    supervisor_client = Client()
    supervisor_client.force_login(supervisor)
    assert_escaped(supervisor_client.get(reverse("home")))
    assert_escaped(supervisor_client.get(reverse("session_prepare", args=[session.pk])))
    for url in [
        url_for("reflection_detail", reflection),
        url_for("reflection_versions", reflection),
        reverse("reflection_list"),
        reverse("reflection_list") + "?q=alert",
    ]:
        assert_escaped(client.get(url))
        assert_escaped(supervisor_client.get(url))
    for url in [
        url_for("reflection_edit", reflection),
        url_for("reflection_share", reflection),
        url_for("reflection_delete", reflection),
        reverse("reflection_insights"),
    ]:
        assert_escaped(client.get(url))
    edit = client.get(url_for("reflection_edit", reflection))
    assert all(textarea(edit, field) == PAYLOAD for field in SECTION_FIELDS)
    assert_escaped(supervisor_client.get(url_for("reflection_detail", reflection)))
    assert textarea(supervisor_client.get(url_for("reflection_detail", reflection)), "text") == PAYLOAD
    # The thread shows the response as text to both.
    assert escape(PAYLOAD) in inner_html(client.get(url_for("reflection_detail", reflection)), "thread")
    # A search for the payload itself is shown back as text.
    assert_escaped(client.get(reverse("reflection_list"), {"q": PAYLOAD + " nothing-matches-this"}))
    # The pieces of HTML sent with autosave answers are escaped too.
    stale = edit_data(reflection, wondering=PAYLOAD + " typed", revision="0")
    conflict = client.post(url_for("reflection_edit", reflection), stale, headers=AUTOSAVE).json()["html"]
    assert "<script>alert(1)" not in conflict and escape(PAYLOAD) in conflict
    services.reflection_delete(reflection=reflection)
    assert_escaped(client.get(reverse("reflection_deleted_list")))


def test_identifying_warnings_show_the_passage_as_text(client, practitioner):
    client.force_login(practitioner)
    typed = "<b>Jane Smith</b> <script>alert(1)</script> jane@example.org"
    response = client.post(reverse("reflection_create"), form_data(wondering=typed), headers=AUTOSAVE)
    warnings = response.json()["warnings"]
    assert "jane@example.org" in warnings and "Jane Smith" in warnings
    assert "<script>" not in warnings and "<b>" not in warnings
    response = client.post(url_for("reflection_edit", Reflection.objects.get()), form_data(wondering=typed))
    assert "<script>alert(1)" not in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "reflection_list",
        "reflection_create",
        "reflection_deleted_list",
        "reflection_insights",
        "reflection_detail",
        "reflection_edit",
        "reflection_share",
        "reflection_versions",
        "reflection_delete",
    ],
)
def test_pages_with_reflections_are_never_cached(client, practitioner, shared_reflection, name):
    client.force_login(practitioner)
    response = client.get(url_for(name, shared_reflection))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_autosave_answers_and_the_supervisors_pages_are_never_cached(
    client, practitioner, supervisor, shared_reflection
):
    client.force_login(practitioner)
    responses = [
        client.post(
            url_for("reflection_edit", shared_reflection), edit_data(shared_reflection, wondering="?"), headers=AUTOSAVE
        ),
        client.post(reverse("reflection_create"), form_data(wondering="!"), headers=AUTOSAVE),
        client.post(url_for("response_draft", shared_reflection), {"text": "draft"}),
    ]
    client.force_login(supervisor)
    responses += [
        client.get(url_for("reflection_detail", shared_reflection)),
        client.get(url_for("reflection_versions", shared_reflection)),
        client.get(reverse("reflection_list")),
        client.post(url_for("response_draft", shared_reflection), {"text": "draft"}),
        client.post(url_for("response_create", shared_reflection), {"text": ""}),
    ]
    for response in responses:
        assert response.status_code in {200, 400}
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]


# --- Property-based: the forms never fail, invalid input is never saved, text round-trips -----

HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text as people type (or paste) it: accents, emoji, markup, control characters, even NUL.
TYPED_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=300)
CHECKIN_SCORES = st.sampled_from(["", "1", "3", "5", "0", "6", "-1", "2.5", "three", "٣"])


class Rollback(Exception):
    pass


def in_rollback(action) -> None:
    """Run one example and undo what it wrote, so the next starts from the same reflection."""
    try:
        with transaction.atomic():
            action()
            raise Rollback
    except Rollback:
        pass


@pytest.fixture
def written(practitioner):
    return write(practitioner, wondering="Before")


@HYPOTHESIS
@given(
    title=st.text(max_size=130) | TYPED_TEXT,
    section=st.sampled_from(SECTION_FIELDS),
    typed=TYPED_TEXT,
    checkin_score=CHECKIN_SCORES,
    checkin_words=st.text(max_size=70),
    keep=st.booleans(),
    autosave=st.booleans(),
)
def test_the_editor_never_fails_saves_only_valid_input_and_keeps_text_as_typed(
    client, practitioner, written, title, section, typed, checkin_score, checkin_words, keep, autosave
):
    client.force_login(practitioner)
    before = state_of(written)
    valid = (
        len(title.strip()) <= 120
        and len(checkin_words.strip()) <= 60
        and checkin_score in {"", "1", "3", "5"}
        and "\x00" not in title + typed + checkin_words
    )

    def post():
        data = edit_data(written, title=title, checkin_score=checkin_score, checkin_words=checkin_words)
        data[section] = typed
        if keep:
            data["keep_identifying"] = "on"
        response = client.post(url_for("reflection_edit", written), data, headers=AUTOSAVE if autosave else {})
        saved = response.status_code == 302 or (autosave and response.status_code == 200)
        if autosave:
            assert response.status_code in {200, 400}
            assert response.json()["saved"] is saved
        else:
            assert response.status_code in {200, 302}
        if valid and (keep or autosave):
            assert saved
        if saved:
            assert valid
            stored = fresh(written)
            assert getattr(stored, section) == typed.rstrip()
            assert stored.title == title.strip()
            assert stored.checkin_words == checkin_words.strip()
            assert stored.checkin_score == (int(checkin_score) if checkin_score else None)
        else:
            assert state_of(written) == before
            if valid:  # a valid explicit save is held back only to point out identifying text
                assert response.context["findings"]

    in_rollback(post)


@HYPOTHESIS
@given(typed=TYPED_TEXT | st.text(min_size=3990, max_size=4010), draft=st.booleans())
def test_the_response_form_never_fails_and_keeps_the_text(client, supervisor, shared_reflection, typed, draft):
    client.force_login(supervisor)
    before = state_of(shared_reflection)

    def post():
        if draft:
            response = client.post(url_for("response_draft", shared_reflection), {"text": typed})
            assert response.status_code in {200, 400}
            if response.status_code == 200:
                assert ResponseDraft.objects.get(author=supervisor).text == typed
            else:
                assert len(typed) > 4000 or "\x00" in typed
                assert state_of(shared_reflection) == before
            return
        response = client.post(url_for("response_create", shared_reflection), {"text": typed})
        assert response.status_code in {302, 400}
        if response.status_code == 302:
            assert shared_reflection.responses.last().text == typed.strip()
            assert 0 < len(typed.strip()) <= 4000
        else:
            assert state_of(shared_reflection) == before

    in_rollback(post)


@HYPOTHESIS
@given(words=st.text(max_size=40), baby=st.sampled_from(["add", "skip", "", "other"]))
def test_the_share_form_never_fails_and_adds_the_babys_words_as_typed(
    client, practitioner, supervisor, agreement, family, words, baby
):
    reflection = Reflection.objects.filter(family=family).first() or write(practitioner, family=family)
    client.force_login(practitioner)

    def post():
        response = client.post(
            url_for("reflection_share", reflection), {"supervisors": [supervisor.pk], "baby_words": words, "baby": baby}
        )
        assert response.status_code in {200, 302}
        stored = fresh(reflection)
        if response.status_code == 302:
            added = words.strip() if baby != "skip" else ""
            assert stored.baby_experience == added
            assert stored.shares.get().supervisor == supervisor
        else:
            assert "\x00" in words and stored.baby_experience == "" and not stored.shares.exists()

    in_rollback(post)


@HYPOTHESIS
@given(query=TYPED_TEXT, show=st.text(max_size=8), state=st.text(max_size=8), page=st.text(max_size=4))
def test_search_never_fails(client, practitioner, shared_reflection, query, show, state, page):
    client.force_login(practitioner)
    response = client.get(reverse("reflection_list"), {"q": query, "show": show, "state": state, "page": page})
    assert response.status_code == 200
    assert set(response.context["page"].object_list) <= {shared_reflection}


# --- Query counts ----------------------------------------------------------------------------


@pytest.fixture
def many_reflections(organization, practitioner, supervisor, agreement, family, session, clock):
    """30 of the practitioner's reflections: every third shared, half of those with responses."""
    reflections = []
    for number in range(30):
        reflection = write(
            practitioner,
            title=f"Visit {number}",
            family=family if number % 2 else None,
            session=session if number % 5 == 0 else None,
            checkin_score=number % 5 + 1,
        )
        if number % 3 == 0:
            share(reflection, supervisor)
            if number % 2 == 0:
                services.response_add(reflection=reflection, author=supervisor, text=f"Response {number}")
        reflections.append(reflection)
        clock.shift(datetime.timedelta(seconds=10))
    return reflections


def test_the_list_has_a_fixed_number_of_queries(
    client, practitioner, supervisor, many_reflections, django_assert_num_queries
):
    client.force_login(practitioner)
    # 1 session, 2 user with organization, 3 count for the paginator, 4 the page of reflections with
    # authors, families, sessions, whether shared, new responses and unread (subqueries), 5 any deleted.
    with django_assert_num_queries(5):
        response = client.get(reverse("reflection_list"))
    page = response.context["page"]
    assert len(page.object_list) == PER_PAGE and page.paginator.count == 30
    assert sum(1 for reflection in page.object_list if reflection.is_shared) == 6
    assert sum(reflection.new_responses for reflection in page.object_list) == 3
    with django_assert_num_queries(5):
        response = client.get(reverse("reflection_list"), {"q": "visit", "page": "2"})
    assert len(response.context["page"].object_list) == 10
    # The supervisor's list of what was shared: the same five.
    client = Client()
    client.force_login(supervisor)
    with django_assert_num_queries(5):
        response = client.get(reverse("reflection_list"), {"show": "shared"})
    page = response.context["page"]
    assert page.paginator.count == 10
    assert all(reflection.unread for reflection in page.object_list)
    assert "Pat Practitioner" in text(response)


def test_the_list_has_the_same_queries_with_one_reflection(client, practitioner, django_assert_num_queries):
    write(practitioner)
    client.force_login(practitioner)
    with django_assert_num_queries(5):
        response = client.get(reverse("reflection_list"))
    assert len(response.context["page"].object_list) == 1


def test_the_detail_page_has_a_fixed_number_of_queries(
    client, organization, practitioner, supervisor, agreement, family, session, django_assert_num_queries, clock
):
    reflection = write(practitioner, family=family, session=session)
    Child.objects.create(family=family, label="Bean", birth_month=datetime.date(2026, 9, 1), expected=True)
    others = []
    for number in range(5):
        other = make_person(organization, f"sup{number}@riverbend.example", f"Sup {number}", User.Role.SUPERVISOR)
        SupervisionAgreement.objects.create(
            organization=organization,
            supervisor=other,
            supervisee=practitioner,
            starts_on=datetime.date(2026, 1, 1),
            **acknowledged(),
        )
        others.append(other)
    share(reflection, supervisor, *others)
    services.reflection_unshare(reflection=reflection, supervisor_id=others[0].pk)
    for number in range(12):
        author = [supervisor, practitioner, *others[1:]][number % 6]
        services.response_add(reflection=reflection, author=author, text=f"Response {number}")
        clock.shift(minutes(1))
    client.force_login(practitioner)
    # 1 session, 2 user, 3 the reflection with author, family and session, 4 responses with their authors,
    # 5 shares with supervisors, 6 the number of versions, 7 who else has read it (the audit trail),
    # 8 the children, 9 whether the family's page opens for the reader, 10 and the session's, 11 marking
    # the responses seen, 12 the read in the audit trail, 13 whether it was ever shared, 14 the reader's
    # response draft.
    with django_assert_num_queries(14):
        response = client.get(url_for("reflection_detail", reflection))
    assert len(response.context["responses"]) == 12
    assert len(response.context["active_shares"]) == 5 and len(response.context["past_shares"]) == 1
    client = Client()
    client.force_login(supervisor)
    # 1 session, 2 user, 3 the reflection, 4 responses, 5 the children, 6 whether the family's page
    # opens for the reader, 7 and the session's, 8 the reader's share, 9 marking it read, 10 the read in
    # the audit trail, 11 whether it was ever shared, 12 the reader's response draft.
    with django_assert_num_queries(12):
        response = client.get(url_for("reflection_detail", reflection))
    assert len(response.context["responses"]) == 12


def test_the_versions_and_insights_pages_have_a_fixed_number_of_queries(
    client, practitioner, supervisor, agreement, django_assert_num_queries, clock
):
    reflection = write(practitioner, sitting="s0", checkin_score=3)
    share(reflection, supervisor)
    for number in range(1, 15):
        clock.shift(minutes(1))
        services.reflection_save(
            reflection=reflection,
            actor=practitioner,
            data={"wondering": f"Sitting {number}"},
            expected_revision=number,
            sitting=f"s{number}",
        )
        write(practitioner, checkin_score=number % 5 + 1, baby_experience="K" if number % 2 else "")
    client.force_login(practitioner)
    # 1 session, 2 user, 3 the reflection, 4 the read in the audit trail, 5 count of versions, 6 the page
    # of versions with who saved them, 7 whether passages were taken out of them.
    with django_assert_num_queries(7):
        response = client.get(url_for("reflection_versions", reflection))
    assert len(response.context["page"].object_list) == 10
    # 1 session, 2 user, 3 the months' reflections, 4 the check-ins.
    with django_assert_num_queries(4):
        response = client.get(reverse("reflection_insights"))
    assert response.context["total"] == 15
    assert len(response.context["checkins"]) == 15
    assert response.context["months"][-1].counts["baby_experience"] == 7
    client = Client()
    client.force_login(supervisor)
    # The same, the reader's share, marking it read, and the reach of their shares (what was shared).
    with django_assert_num_queries(10):
        response = client.get(url_for("reflection_versions", reflection))
    assert len(response.context["page"].object_list) == 10


# --- Search and pagination -------------------------------------------------------------------


def test_search_finds_a_word_in_any_section_or_the_family_code_within_what_one_may_read(
    client, organization, practitioner, other_practitioner, supervisor, other_supervisor, agreement, family, clock
):
    other_family = make_family(organization, practitioner, code="TR-9")
    found = {}
    for field in SECTION_FIELDS:
        found[field] = write(practitioner, **{field: f"In the {field} section: she was crawling toward the mat."})
        clock.shift(minutes(1))
    titled = write(practitioner, title="Crawling, at last")
    coded = write(practitioner, family=family, what_happened="Bath time.")
    elsewhere = write(practitioner, family=other_family, what_happened="Bedtime was hard.")
    SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=other_supervisor,
        supervisee=other_practitioner,
        starts_on=datetime.date(2026, 1, 1),
        **acknowledged(),
    )
    theirs = write(other_practitioner, what_happened="Their baby was crawling too.")
    share(theirs, other_supervisor)
    share(found["baby_experience"], supervisor)

    def search(person, query, **params):
        client.force_login(person)
        response = client.get(reverse("reflection_list"), {"q": query, **params})
        assert response.status_code == 200
        return set(response.context["page"].object_list)

    assert search(practitioner, "crawling") == {*found.values(), titled}
    assert search(practitioner, "  CRAWLING  ") == {*found.values(), titled}
    assert search(practitioner, "crawling mat") == set(found.values())
    assert search(practitioner, "wondering") == {found["wondering"]}
    assert search(practitioner, "JM-2") == {coded}
    assert search(practitioner, "jm-2") == {coded}
    assert search(practitioner, "tr-9") == {elsewhere}
    assert search(practitioner, "giraffe") == set()
    assert search(practitioner, "crawling", show="shared") == set()
    assert search(practitioner, "crawling", state="shared") == {found["baby_experience"]}
    # Supervisors find only what is shared with them now.
    assert search(supervisor, "crawling") == {found["baby_experience"]}
    assert search(supervisor, "JM-2") == set()
    assert search(other_supervisor, "crawling") == {theirs}
    assert search(other_practitioner, "crawling") == {theirs}
    services.reflection_unshare(reflection=found["baby_experience"], supervisor_id=supervisor.pk)
    assert search(supervisor, "crawling") == set()
    services.reflection_delete(reflection=titled)
    assert search(practitioner, "crawling") == set(found.values())
    response = client.get(reverse("reflection_list"), {"q": "giraffe"})
    assert "Nothing matches “giraffe”." in text(response)


def test_the_list_shows_20_a_page_newest_first_and_keeps_the_search(client, practitioner, clock):
    for number in range(25):
        write(practitioner, title=f"Visit {number:02}", what_happened="She was crawling.")
        clock.shift(minutes(1))
    write(practitioner, title="Not about that")
    client.force_login(practitioner)
    first = client.get(reverse("reflection_list"), {"q": "crawling"})
    assert [r.title for r in first.context["page"].object_list] == [f"Visit {n:02}" for n in range(24, 4, -1)]
    assert "Page 1 of 2" in text(first)
    assert 'href="?q=crawling&amp;page=2"' in first.content.decode()
    second = client.get(reverse("reflection_list"), {"q": "crawling", "page": "2"})
    assert [r.title for r in second.context["page"].object_list] == [f"Visit {n:02}" for n in range(4, -1, -1)]
    assert 'href="?q=crawling&amp;page=1"' in second.content.decode()
    # A page past the end, or not a number, still shows a page.
    assert client.get(reverse("reflection_list"), {"page": "99"}).context["page"].number == 2
    assert client.get(reverse("reflection_list"), {"page": "last"}).context["page"].number == 1
    assert client.get(reverse("reflection_list")).context["page"].paginator.count == 26


def test_the_family_and_session_link_only_where_the_reader_may_open_them(
    client, organization, practitioner, supervisor, other_supervisor, agreement, family, group_session
):
    # For a group session facilitated by someone without an agreement with the author.
    reflection = write(practitioner, family=family, session=group_session)
    share(reflection, supervisor, other_supervisor)
    family_url = reverse("family_detail", args=[family.pk])
    session_url = reverse("session_detail", args=[group_session.pk])

    client.force_login(practitioner)
    page = client.get(url_for("reflection_detail", reflection)).content.decode()
    assert f'href="{family_url}"' in page and f'href="{session_url}"' in page

    # The supervisor sees the family through the agreement, but is not in the group.
    client.force_login(supervisor)
    page = client.get(url_for("reflection_detail", reflection)).content.decode()
    assert f'href="{family_url}"' in page and f'href="{session_url}"' not in page

    # The facilitator leads the session, but has no agreement with the author: the code without a link.
    client.force_login(other_supervisor)
    page = client.get(url_for("reflection_detail", reflection)).content.decode()
    assert f'href="{family_url}"' not in page and family.code in page
    assert f'href="{session_url}"' in page


# --- RIOS™ names, the empty thread, the session chooser ---------------------------------------


def test_each_section_names_the_rios_element_or_task_it_serves(client, practitioner):
    """Essential elements are what the conversation is about; collaborative tasks are how it moves
    (docs: practice.md). "What I wonder about" is wondering, not the supervisory relationship."""
    client.force_login(practitioner)
    page = words(client.get(reverse("reflection_create")))
    expected = {
        "what_happened": "RIOS™ collaborative task: Describing",
        "baby_experience": "RIOS™ essential element: Holding the Baby in Mind",
        "caregiver_experience": "RIOS™ essential element: Understanding the Family Story",
        "family_context": "RIOS™ essential element: Understanding the Family Story",
        "own_response": "RIOS™ essential element: Professional Use of Self",
        "parallel_process": "RIOS™ essential element: Parallel Process",
        "wondering": "RIOS™ collaborative task: Exploring",
        "next_steps": "RIOS™ collaborative task: Integrating",
    }
    response = client.get(reverse("reflection_create"))
    for field, label in expected.items():
        assert " ".join(html.unescape(inner_html(response, f"element-{field}")).split()) == label
    assert "Reflective Alliance" not in page
    assert (
        "Element and task names from the Reflective Interaction Observation Scale (RIOS™), University of Minnesota."
        in page
    )


def test_the_empty_thread_says_what_is_true_for_the_reflection(client, practitioner, supervisor, agreement):
    reflection = write(practitioner)
    client.force_login(practitioner)

    def empty_thread() -> str:
        return " ".join(
            html.unescape(inner_html(client.get(url_for("reflection_detail", reflection)), "thread-empty")).split()
        )

    assert empty_thread() == (
        "It is a private draft, so nobody else can respond yet. When you share it, your supervisor can respond here."
    )
    share(reflection, supervisor)
    assert empty_thread() == (
        "No responses yet. The people you shared it with can respond here, and you can add your own thoughts too."
    )
    assert "When you share" not in text(client.get(url_for("reflection_detail", reflection)))
    services.reflection_unshare(reflection=reflection, supervisor_id=supervisor.pk)
    assert empty_thread().startswith("No responses. It is not shared with anyone at the moment")
    client.force_login(supervisor)
    share(reflection, supervisor)
    assert empty_thread() == "No responses yet. A few words of curiosity go a long way."


def test_the_session_chooser_puts_the_nearest_first_coming_up_apart_from_recent(
    client, practitioner, agreement, session, group_session
):
    last_month = make_session(agreement, starts_at=NOW - datetime.timedelta(days=30))
    last_week = make_session(agreement, starts_at=NOW - datetime.timedelta(days=7), status="held")
    in_a_fortnight = make_session(agreement, starts_at=NOW + datetime.timedelta(days=14))
    group_session.starts_at = NOW + datetime.timedelta(days=3)
    group_session.save()
    client.force_login(practitioner)
    response = client.get(reverse("reflection_create"))
    assert response.context["form"].session_groups == [
        (
            "Coming up",
            [
                (session.pk, "Wed 17 Jun, 10:00 · with Sasha Supervisor"),
                (group_session.pk, "Thu 18 Jun, 10:00 · group: Tuesday circle"),
                (in_a_fortnight.pk, "Mon 29 Jun, 10:00 · with Sasha Supervisor"),
            ],
        ),
        (
            "Recent",
            [
                (last_week.pk, "Mon 8 Jun, 10:00 · with Sasha Supervisor"),
                (last_month.pk, "Sat 16 May, 10:00 · with Sasha Supervisor"),
            ],
        ),
    ]
    content = response.content.decode()
    select = content[content.index('name="session"') : content.index("</select>", content.index('name="session"'))]
    assert select.index('<optgroup label="Coming up">') < select.index('<optgroup label="Recent">')
    assert [int(pk) for pk in re.findall(r'<option value="(\d+)"', select)] == [
        session.pk,
        group_session.pk,
        in_a_fortnight.pk,
        last_week.pk,
        last_month.pk,
    ]
    # The chosen session comes back selected, in its group.
    reflection = write(practitioner, session=last_week)
    content = client.get(url_for("reflection_edit", reflection)).content.decode()
    assert f'<option value="{last_week.pk}" selected>' in content


def test_the_session_chooser_says_which_year_when_it_is_not_this_one(client, practitioner, agreement, clock):
    clock.move_to(datetime.datetime(2027, 1, 5, 10, 0, tzinfo=CHICAGO))
    december = make_session(agreement, starts_at=datetime.datetime(2026, 12, 15, 10, 0, tzinfo=CHICAGO))
    client.force_login(practitioner)
    groups = client.get(reverse("reflection_create")).context["form"].session_groups
    assert groups == [("Recent", [(december.pk, "Tue 15 Dec 2026, 10:00 · with Sasha Supervisor")])]
