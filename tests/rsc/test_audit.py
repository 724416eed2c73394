"""The audit trail: every read and change of a record, sign-ins and their failures, administrative
changes and refused access, each with who, which record, what, when, from which address and with
which request id; never anyone's writing, in the trail or in the logs; append-only; and, for the
author of a reflection, who else has read it."""

import datetime
import logging
import re
import time
import zoneinfo

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, format_hotp_value, hotp_value
from django.conf import settings as django_settings
from django.core import mail, serializers
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rsc import audit
from rsc.forms.agreements import limits_digest
from rsc.models import (
    AgendaItem,
    AuditEvent,
    Caregiver,
    Child,
    Family,
    FollowUp,
    RSCGroup,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.models.reflections import SECTION_FIELDS, Reflection
from rsc.services import reflections as services
from rsc.services import sessions as scheduling
from tests.conftest import PASSWORD, acknowledged, make_person, mark_reauthenticated

Action = AuditEvent.Action
RecordType = AuditEvent.RecordType
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)  # a Monday
IP = "198.51.100.23"
AUTOSAVE = {"X-Autosave": "1"}
HTMX = {"HX-Request": "true"}
# Words that stand for anyone's writing: they must never reach the trail or a log line.
MARKER = "zinnwaldite"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- Building the world ---------------------------------------------------------------------


def signed_in(person, *, reauthenticated: bool = False) -> Client:
    """A browser at a known address, signed in (which is itself recorded, without a request id)."""
    client = Client(REMOTE_ADDR=IP)
    client.force_login(person)
    if reauthenticated:
        mark_reauthenticated(client, person)
    return client


@pytest.fixture
def family(organization, practitioner):
    family = Family.objects.create(
        organization=organization,
        code="JM-2",
        context=Family.Context.HOME_VISITING,
        opened_on=datetime.date(2026, 1, 5),
    )
    family.practitioners.add(practitioner)
    Child.objects.create(family=family, label="K", birth_month=datetime.date(2025, 6, 1))
    return family


def schedule(agreement, **overrides) -> list[SupervisionSession]:
    options = {
        "supervisor": agreement.supervisor,
        "agreement": agreement,
        "starts_at": NOW + datetime.timedelta(days=2),
        "duration_minutes": 60,
        "modality": SupervisionSession.Modality.VIDEO,
    }
    options.update(overrides)
    return scheduling.sessions_schedule(**options)


@pytest.fixture
def session(agreement):
    """The practitioner's next session with their supervisor, in two days."""
    (session,) = schedule(agreement)
    return session


@pytest.fixture
def held_session(agreement, supervisor, practitioner):
    """Yesterday's session, held, its notes not written yet."""
    (session,) = schedule(agreement, starts_at=NOW - datetime.timedelta(days=1))
    return scheduling.session_record_attendance(
        session=session, actor=supervisor, status="held", attendance={practitioner.pk: "attended"}
    )


def write(author, **fields) -> Reflection:
    return services.reflection_create(author=author, data={"what_happened": "We sat on the floor.", **fields})


@pytest.fixture
def reflection(practitioner, agreement):
    return write(practitioner)


@pytest.fixture
def shared_reflection(reflection, supervisor):
    services.reflection_share(reflection=reflection, supervisors=[supervisor])
    return reflection


def reflection_form(reflection: Reflection | None = None, **overrides) -> dict:
    """The reflection editor as a browser sends it: as saved, or empty for a new one."""
    data = {"title": "", "family": "", "session": "", "checkin_words": "", "revision": "0", "sitting": "sitting-one"}
    data.update(dict.fromkeys(SECTION_FIELDS, ""))
    if reflection is not None:
        reflection = Reflection.objects.get(pk=reflection.pk)
        data.update(reflection.texts(), title=reflection.title, revision=str(reflection.revision))
        data.update(family=reflection.family_id or "", session=reflection.session_id or "")
        data.update(checkin_words=reflection.checkin_words)
        if reflection.checkin_score:
            data["checkin_score"] = str(reflection.checkin_score)
    data.update(overrides)
    return data


def family_form(family: Family | None = None, **overrides) -> dict:
    """The family form as a browser sends it, with no rows of children or caregivers to add."""
    data = {
        "code": family.code if family else "BX-4",
        "context": family.context if family else Family.Context.EARLY_INTERVENTION,
        "opened_on": (family.opened_on if family else datetime.date(2026, 2, 2)).isoformat(),
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
        "caregivers-TOTAL_FORMS": "0",
        "caregivers-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def agreement_form(supervisor, supervisee, **overrides) -> dict:
    data = {
        "supervisor": supervisor.pk,
        "supervisee": supervisee.pk,
        "starts_on": "2026-03-02",
        "ends_on": "",
        "format": "individual",
        "cadence": "fortnightly",
        "usual_minutes": "60",
        "counts_toward_endorsement": "on",
        "confidentiality_limits": "Mandated reporting applies.",
    }
    data.update(overrides)
    return data


def terms_form(agreement: SupervisionAgreement, **overrides) -> dict:
    data = {
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat() if agreement.ends_on else "",
        "format": agreement.format,
        "cadence": agreement.cadence,
        "usual_minutes": str(agreement.usual_minutes),
        "counts_toward_endorsement": "on" if agreement.counts_toward_endorsement else "",
        "confidentiality_limits": agreement.confidentiality_limits,
    }
    data.update(overrides)
    return data


def settings_form(response, **overrides) -> dict:
    """The organization settings form as the page shows it, plus changes."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = str(value)
    data.update(overrides)
    return data


def invitation_path(message) -> str:
    match = re.search(r"https?://\S+/invitation/(\S+)/", message.body)
    assert match, message.body
    return reverse("invitation_accept", args=[match.group(1)])


def totp_code(secret: str, *, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD + offset))


# --- Reading the trail ----------------------------------------------------------------------


def mark() -> int:
    """Where the trail ends now: the events after it are the ones the next request records."""
    return AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def ref(record) -> tuple[str, int | None]:
    if isinstance(record, tuple):
        return record
    return audit.record_type_of(record), record.pk


def account(person) -> tuple[str, int]:
    return RecordType.ACCOUNT, person.pk


def recorded(response, since: int, *expected, organization="actor's") -> list[AuditEvent]:
    """Exactly the `expected` events, each (action, record, actor), were recorded since `since`, all
    while answering `response`: its request id, the browser's address, the actor's organization."""
    events = list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))
    assert [(event.action, event.record_type, event.record_id, event.actor_id) for event in events] == [
        (action, *ref(record), actor.pk if actor else None) for action, record, actor in expected
    ]
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    for event, (_action, _record, actor) in zip(events, expected, strict=True):
        assert event.request_id == request_id
        assert event.ip == IP
        assert event.organization_id == (actor.organization_id if organization == "actor's" else organization)
        assert event.actor_email == (actor.email if actor else event.actor_email)
        assert abs(event.at - timezone.now()) < datetime.timedelta(seconds=5)
    return events


# --- Reflections ----------------------------------------------------------------------------


def test_every_read_of_a_reflection_is_recorded_the_authors_own_included(shared_reflection, practitioner, supervisor):
    author, reader = signed_in(practitioner), signed_in(supervisor)
    for client, person in [(author, practitioner), (reader, supervisor)]:
        since = mark()
        response = client.get(reverse("reflection_detail", args=[shared_reflection.pk]))
        assert response.status_code == 200
        recorded(response, since, (Action.READ, shared_reflection, person))

        since = mark()
        response = client.get(reverse("reflection_versions", args=[shared_reflection.pk]))
        assert response.status_code == 200
        [event] = recorded(response, since, (Action.READ, shared_reflection, person))
        assert event.detail == {"page": "versions"}
    # The editor shows the text too; only the author opens it.
    since = mark()
    response = author.get(reverse("reflection_edit", args=[shared_reflection.pk]))
    [event] = recorded(response, since, (Action.READ, shared_reflection, practitioner))
    assert event.detail == {"page": "editor"}


def test_writing_records_the_creation_and_one_edit_per_sitting_not_every_autosave(
    practitioner, supervisor, agreement, family, clock
):
    client = signed_in(practitioner)
    since = mark()
    response = client.post(
        reverse("reflection_create"), reflection_form(what_happened="Bath time.", sitting="one"), headers=AUTOSAVE
    )
    assert response.json()["created"]
    reflection = Reflection.objects.get()
    [event] = recorded(response, since, (Action.CREATE, reflection, practitioner))
    assert event.detail == {"sitting": "one"}
    url = reverse("reflection_edit", args=[reflection.pk])

    # More autosaves and the final save of the same page: the same sitting, nothing new.
    for words in ["Bath time, slowly.", "Bath time, slowly, with K."]:
        since = mark()
        response = client.post(url, reflection_form(reflection, what_happened=words, sitting="one"), headers=AUTOSAVE)
        assert response.json()["saved"]
        recorded(response, since)
    since = mark()
    response = client.post(url, reflection_form(reflection, wondering="What did K feel?", sitting="one"))
    assert response.status_code == 302
    recorded(response, since)

    # Later, a new page: one edit, for its new version.
    clock.shift(datetime.timedelta(minutes=10))
    since = mark()
    response = client.post(url, reflection_form(reflection, wondering="And I?", sitting="two"), headers=AUTOSAVE)
    [event] = recorded(response, since, (Action.EDIT, reflection, practitioner))
    assert event.detail == {"version": 2, "sitting": "two"}
    since = mark()
    response = client.post(url, reflection_form(reflection, wondering="And I, then?", sitting="two"), headers=AUTOSAVE)
    recorded(response, since)

    # Once the supervisor has read it, the author's next words keep what was read: a new version, an edit.
    services.reflection_share(reflection=reflection, supervisors=[supervisor])
    clock.shift(datetime.timedelta(minutes=5))
    signed_in(supervisor).get(reverse("reflection_detail", args=[reflection.pk]))
    clock.shift(datetime.timedelta(minutes=5))
    since = mark()
    response = client.post(url, reflection_form(reflection, wondering="And I, now?", sitting="two"), headers=AUTOSAVE)
    [event] = recorded(response, since, (Action.EDIT, reflection, practitioner))
    assert event.detail == {"version": 3, "sitting": "two"}

    # Changing only what the reflection is about, or the check-in: once per sitting too.
    since = mark()
    response = client.post(
        url, reflection_form(reflection, family=family.pk, checkin_score="2", sitting="three"), headers=AUTOSAVE
    )
    [event] = recorded(response, since, (Action.EDIT, reflection, practitioner))
    assert event.detail == {"fields": ["checkin_score", "family"], "sitting": "three"}
    since = mark()
    response = client.post(url, reflection_form(reflection, checkin_score="3", sitting="three"), headers=AUTOSAVE)
    assert response.json()["saved"]
    recorded(response, since)


def test_a_reflection_saved_without_autosave_is_created_once(practitioner):
    client = signed_in(practitioner)
    since = mark()
    response = client.post(reverse("reflection_create"), reflection_form(what_happened="Bath time."))
    assert response.status_code == 302
    recorded(response, since, (Action.CREATE, Reflection.objects.get(), practitioner))


def test_sharing_unsharing_responding_deleting_and_restoring_are_recorded(
    reflection, practitioner, supervisor, other_supervisor
):
    author = signed_in(practitioner)
    since = mark()
    response = author.post(reverse("reflection_share", args=[reflection.pk]), {"supervisors": [supervisor.pk]})
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.SHARE, reflection, practitioner))
    assert event.detail == {"supervisors": [supervisor.pk]}

    reader = signed_in(supervisor)
    since = mark()
    response = reader.post(reverse("response_create", args=[reflection.pk]), {"text": "I wonder."})
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.RESPOND, reflection, supervisor))
    assert event.detail == {"response": reflection.responses.get().pk}

    since = mark()
    response = author.post(reverse("reflection_unshare", args=[reflection.pk]), {"supervisor": supervisor.pk})
    [event] = recorded(response, since, (Action.UNSHARE, reflection, practitioner))
    assert event.detail == {"supervisor": supervisor.pk}
    # Nothing happened, nothing recorded.
    since = mark()
    response = author.post(reverse("reflection_unshare", args=[reflection.pk]), {"supervisor": other_supervisor.pk})
    recorded(response, since)

    since = mark()
    response = author.post(reverse("reflection_delete", args=[reflection.pk]))
    assert response.status_code == 302
    recorded(response, since, (Action.DELETE, reflection, practitioner))
    since = mark()
    response = author.post(reverse("reflection_restore", args=[reflection.pk]))
    assert response.status_code == 302
    recorded(response, since, (Action.RESTORE, reflection, practitioner))


# --- Sessions -------------------------------------------------------------------------------


def test_scheduling_a_series_records_each_session_and_changes_each_one_affected(agreement, supervisor):
    client = signed_in(supervisor)
    since = mark()
    response = client.post(
        reverse("session_create"),
        {
            "agreement": agreement.pk,
            "date": "2026-03-04",
            "time": "10:00",
            "duration_minutes": 60,
            "modality": "video",
            "repeat": "weekly",
            "count": 3,
        },
    )
    assert response.status_code == 302
    sessions = list(SupervisionSession.objects.order_by("starts_at"))
    events = recorded(response, since, *[(Action.SCHEDULE, session, supervisor) for session in sessions])
    assert all(event.detail == {"series": sessions[0].series_id, "count": 3} for event in events)

    since = mark()
    response = client.post(
        reverse("session_edit", args=[sessions[1].pk]),
        {"date": "2026-03-11", "time": "11:00", "duration_minutes": 90, "modality": "video", "scope": "following"},
    )
    assert response.status_code == 302
    events = recorded(response, since, (Action.EDIT, sessions[1], supervisor), (Action.EDIT, sessions[2], supervisor))
    assert events[0].detail == {"fields": ["starts_at", "duration_minutes"], "scope": "following"}

    since = mark()
    response = client.post(reverse("session_cancel", args=[sessions[0].pk]), {"reason": "Illness", "scope": "this"})
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.CANCEL, sessions[0], supervisor))
    assert event.detail == {"scope": "this"}


def test_attendance_notes_follow_ups_signing_and_reopening_are_recorded(agreement, supervisor, practitioner, clock):
    (session,) = schedule(agreement, starts_at=NOW - datetime.timedelta(hours=2))
    client = signed_in(supervisor)
    since = mark()
    response = client.post(
        reverse("session_attendance", args=[session.pk]), {"status": "held", f"attended_{practitioner.pk}": "on"}
    )
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.ATTENDANCE, session, supervisor))
    assert event.detail == {"status": "held"}

    url = reverse("session_document", args=[session.pk])
    since = mark()
    response = client.get(url)
    assert response.status_code == 200
    [event] = recorded(response, since, (Action.READ, session, supervisor))
    assert event.detail == {"page": "notes"}

    # The notes: one edit per sitting, when it starts a new version; not on every autosave.
    for version, (notes, sitting, expected) in enumerate(
        [("We wondered", "one", True), ("We wondered about K.", "one", False), ("Next day", "two", True)]
    ):
        since = mark()
        response = client.post(url, {"notes": notes, "version": version, "sitting": sitting}, headers=AUTOSAVE)
        assert response.json()["saved"]
        events = recorded(response, since, *([(Action.EDIT, session, supervisor)] if expected else []))
        if expected:
            assert events[0].detail == {"version": session.note_versions.count(), "sitting": sitting}
    # Only the element tags: once per sitting as well (and a tag sent twice is kept once).
    for elements, expected in [(["baby_in_mind", "baby_in_mind"], True), (["baby_in_mind", "parallel_process"], False)]:
        since = mark()
        response = client.post(
            url, {"notes": "Next day", "elements": elements, "version": 3, "sitting": "three"}, headers=AUTOSAVE
        )
        assert response.json()["saved"], response.json()
        events = recorded(response, since, *([(Action.EDIT, session, supervisor)] if expected else []))
        if expected:
            assert events[0].detail == {"fields": ["elements"], "sitting": "three"}
    session.refresh_from_db()
    assert set(session.elements.values_list("element", flat=True)) == {"baby_in_mind", "parallel_process"}

    since = mark()
    response = client.post(
        reverse("follow_up_create", args=[session.pk]),
        {"text": "Notice bedtime", "owner": practitioner.pk, "kind": "reflective"},
    )
    follow_up = FollowUp.objects.get()
    [event] = recorded(response, since, (Action.EDIT, session, supervisor))
    assert event.detail == {"follow_up_added": follow_up.pk}
    owner = signed_in(practitioner)
    since = mark()
    response = owner.post(reverse("follow_up_done", args=[follow_up.pk]), {"done": "1"})
    [event] = recorded(response, since, (Action.FOLLOW_UP_DONE, session, practitioner))
    assert event.detail == {"follow_up": follow_up.pk}
    since = mark()
    response = client.post(reverse("follow_up_delete", args=[session.pk, follow_up.pk]))
    [event] = recorded(response, since, (Action.EDIT, session, supervisor))
    assert event.detail == {"follow_up_removed": follow_up.pk}

    since = mark()
    response = client.post(reverse("session_sign", args=[session.pk]))
    assert response.status_code == 302
    recorded(response, since, (Action.SIGN, session, supervisor))
    since = mark()
    response = client.post(reverse("session_reopen", args=[session.pk]), {"reason": "A word was missing"})
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.REOPEN, session, supervisor))
    assert event.detail == {}


def test_agenda_items_added_and_removed_are_edits_of_the_session(session, practitioner, family):
    client = signed_in(practitioner)
    since = mark()
    response = client.post(reverse("agenda_add", args=[session.pk]), {"family": family.pk, "text": "Feeds"})
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    [event] = recorded(response, since, (Action.EDIT, session, practitioner))
    assert event.detail == {"agenda_item_added": item.pk}
    since = mark()
    response = client.post(reverse("agenda_delete", args=[session.pk, item.pk]))
    [event] = recorded(response, since, (Action.EDIT, session, practitioner))
    assert event.detail == {"agenda_item_removed": item.pk}


def test_reading_a_session_is_recorded_but_not_the_agenda_refreshing_itself(
    session, held_session, supervisor, practitioner
):
    for person in (supervisor, practitioner):
        client = signed_in(person)
        since = mark()
        response = client.get(reverse("session_detail", args=[session.pk]))
        assert response.status_code == 200
        [event] = recorded(response, since, (Action.READ, session, person))
        assert event.detail == {}
    client = signed_in(supervisor)
    since = mark()
    response = client.get(reverse("session_prepare", args=[session.pk]))
    [event] = recorded(response, since, (Action.READ, session, supervisor))
    assert event.detail == {"page": "prepare"}
    since = mark()
    response = client.get(reverse("session_prepare", args=[session.pk]), headers=HTMX)
    assert response.status_code == 200
    recorded(response, since)
    client = signed_in(practitioner)
    since = mark()
    response = client.get(reverse("session_versions", args=[held_session.pk]))
    [event] = recorded(response, since, (Action.READ, held_session, practitioner))
    assert event.detail == {"page": "versions"}


# --- Families -------------------------------------------------------------------------------


def test_a_familys_whole_life_is_recorded(practitioner, other_practitioner, admin_user):
    client = signed_in(practitioner)
    since = mark()
    response = client.post(reverse("family_create"), family_form())
    assert response.status_code == 302
    family = Family.objects.get()
    [event] = recorded(response, since, (Action.CREATE, family, practitioner))
    assert event.detail == {"practitioners": [practitioner.pk]}

    for name, detail in [("family_detail", {}), ("family_edit", {"page": "editor"})]:
        since = mark()
        response = client.get(reverse(name, args=[family.pk]))
        assert response.status_code == 200
        [event] = recorded(response, since, (Action.READ, family, practitioner))
        assert event.detail == detail

    since = mark()
    response = client.post(
        reverse("family_edit", args=[family.pk]), family_form(family, colleagues=[other_practitioner.pk])
    )
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.EDIT, family, practitioner))
    assert event.detail == {"practitioners_added": [other_practitioner.pk]}

    steps = [
        ("family_close", {"closed_on": "2026-03-01"}, Action.CLOSE, {"closed_on": "2026-03-01"}),
        ("family_reopen", {}, Action.REOPEN, {}),
        ("family_delete", {}, Action.DELETE, {}),
    ]
    for name, data, action, detail in steps:
        since = mark()
        response = client.post(reverse(name, args=[family.pk]), data)
        assert response.status_code == 302
        [event] = recorded(response, since, (action, family, practitioner))
        assert event.detail == detail

    admin = signed_in(admin_user)
    since = mark()
    response = admin.post(reverse("family_restore", args=[family.pk]))
    assert response.status_code == 302
    recorded(response, since, (Action.RESTORE, family, admin_user))


# --- Agreements and groups ------------------------------------------------------------------


def test_agreements_created_changed_ended_and_acknowledged_are_recorded(
    admin_user, other_supervisor, other_practitioner
):
    admin = signed_in(admin_user, reauthenticated=True)
    since = mark()
    response = admin.post(reverse("agreement_create"), agreement_form(other_supervisor, other_practitioner))
    assert response.status_code == 302
    agreement = SupervisionAgreement.objects.get()
    [event] = recorded(response, since, (Action.CREATE, agreement, admin_user))
    assert event.detail == {"supervisor": other_supervisor.pk, "supervisee": other_practitioner.pk}

    supervisee = signed_in(other_practitioner)
    since = mark()
    response = supervisee.post(
        reverse("agreement_acknowledge", args=[agreement.pk]), {"seen": limits_digest(agreement.confidentiality_limits)}
    )
    assert response.status_code == 302
    recorded(response, since, (Action.ACKNOWLEDGE, agreement, other_practitioner))

    since = mark()
    response = admin.post(
        reverse("agreement_edit", args=[agreement.pk]),
        terms_form(agreement, usual_minutes="90", confidentiality_limits="Mandated reporting, always."),
    )
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.EDIT, agreement, admin_user))
    assert event.detail == {
        "fields": [
            "confidentiality_limits",
            "supervisee_acknowledged_at",
            "supervisor_acknowledged_at",
            "usual_minutes",
        ],
        "acknowledgements_cleared": True,
    }

    since = mark()
    response = admin.post(reverse("agreement_end", args=[agreement.pk]), {"ends_on": "2026-06-30"})
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.CLOSE, agreement, admin_user))
    assert event.detail == {"ends_on": "2026-06-30"}


def test_groups_created_and_changed_are_recorded_with_who_joined_and_left(
    admin_user, supervisor, practitioner, other_practitioner
):
    admin = signed_in(admin_user, reauthenticated=True)
    since = mark()
    data = {"name": "Thursday circle", "facilitator": supervisor.pk, "members": [practitioner.pk], "is_active": "on"}
    response = admin.post(reverse("group_create"), data)
    assert response.status_code == 302
    group = RSCGroup.objects.get()
    [event] = recorded(response, since, (Action.CREATE, group, admin_user))
    assert event.detail == {"facilitator": supervisor.pk, "members": [practitioner.pk]}

    since = mark()
    response = admin.post(reverse("group_edit", args=[group.pk]), {**data, "members": [other_practitioner.pk]})
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.EDIT, group, admin_user))
    assert event.detail == {
        "fields": [],
        "members_added": [other_practitioner.pk],
        "members_removed": [practitioner.pk],
    }


# --- Signing in and out ---------------------------------------------------------------------


def test_signing_in_and_out_is_recorded(practitioner):
    client = Client(REMOTE_ADDR=IP)
    since = mark()
    response = client.post(reverse("account_login"), {"login": practitioner.email, "password": PASSWORD})
    assert response.status_code == 302
    recorded(response, since, (Action.LOGIN, account(practitioner), practitioner))
    since = mark()
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    recorded(response, since, (Action.LOGOUT, account(practitioner), practitioner))


def test_a_failed_sign_in_with_an_unknown_address_names_only_the_address(db):
    since = mark()
    response = Client(REMOTE_ADDR=IP).post(
        reverse("account_login"), {"login": "Nobody@Nowhere.example", "password": "a-guess-" + MARKER}
    )
    assert response.status_code == 200
    [event] = recorded(response, since, (Action.LOGIN_FAILED, (RecordType.ACCOUNT, None), None), organization=None)
    # The address as the sign-in form passed it on: in lower case.
    assert event.actor_email == "nobody@nowhere.example"
    assert MARKER not in serializers.serialize("json", [event])


def test_a_failed_sign_in_with_a_known_address_names_the_organization_but_not_as_the_actor(practitioner):
    since = mark()
    response = Client(REMOTE_ADDR=IP).post(
        reverse("account_login"), {"login": practitioner.email.upper(), "password": "a-guess-" + MARKER}
    )
    assert response.status_code == 200
    [event] = recorded(
        response,
        since,
        (Action.LOGIN_FAILED, account(practitioner), None),
        organization=practitioner.organization_id,
    )
    assert event.actor_email == practitioner.email
    assert event.detail == {"step": "password", "url_name": "account_login"}
    assert MARKER not in serializers.serialize("json", [event])


def test_a_wrong_two_factor_code_is_a_failed_sign_in(practitioner):
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(practitioner, secret)
    client = Client(REMOTE_ADDR=IP)
    response = client.post(reverse("account_login"), {"login": practitioner.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    valid = {totp_code(secret, offset=offset) for offset in range(-2, 3)}
    wrong = next(code for code in ("000000", "111111", "222222") if code not in valid)
    since = mark()
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    [event] = recorded(
        response, since, (Action.LOGIN_FAILED, account(practitioner), None), organization=practitioner.organization_id
    )
    assert event.actor_email == practitioner.email
    assert event.detail == {"step": "two_factor", "reauthentication": False}


def test_an_idle_session_that_ends_is_recorded_as_a_sign_out(practitioner, settings, clock):
    client = signed_in(practitioner)
    clock.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1))
    since = mark()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.LOGOUT, account(practitioner), practitioner))
    assert event.detail == {"reason": "idle"}


def test_password_changes_and_resets_are_recorded(practitioner, run_tasks):
    client = signed_in(practitioner)
    new_password = "a-different-long-password-7"
    since = mark()
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    recorded(response, since, (Action.PASSWORD_CHANGE, account(practitioner), practitioner))

    anonymous = Client(REMOTE_ADDR=IP)
    since = mark()
    response = anonymous.post(reverse("account_reset_password"), {"email": practitioner.email})
    assert response.status_code == 302
    recorded(response, since)
    run_tasks()
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    response = anonymous.get("/" + link.split("://", 1)[1].split("/", 1)[1].strip())
    since = mark()
    reset_password = "reset-to-something-long-9"
    response = anonymous.post(response["Location"], {"password1": reset_password, "password2": reset_password})
    assert response.status_code == 302
    recorded(response, since, (Action.PASSWORD_RESET, account(practitioner), practitioner))


def test_two_factor_authentication_added_renewed_and_removed_is_recorded(
    practitioner, django_capture_on_commit_callbacks
):
    client = signed_in(practitioner, reauthenticated=True)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    since = mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    events = recorded(
        response,
        since,
        (Action.MFA_ADDED, account(practitioner), practitioner),
        (Action.MFA_ADDED, account(practitioner), practitioner),
    )
    assert [event.detail for event in events] == [{"type": "totp"}, {"type": "recovery_codes"}]

    since = mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.MFA_ADDED, account(practitioner), practitioner))
    assert event.detail == {"type": "recovery_codes", "reset": True}

    since = mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    events = recorded(
        response,
        since,
        (Action.MFA_REMOVED, account(practitioner), practitioner),
        (Action.MFA_REMOVED, account(practitioner), practitioner),
    )
    assert [event.detail for event in events] == [{"type": "totp"}, {"type": "recovery_codes"}]
    assert not Authenticator.objects.exists()


# --- People and the organization ------------------------------------------------------------


def test_invitations_sent_resent_and_accepted_are_recorded(admin_user, django_capture_on_commit_callbacks, run_tasks):
    admin = signed_in(admin_user, reauthenticated=True)
    since = mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("person_invite"),
            {"full_name": "Casey New", "email": "casey@riverbend.example", "roles": ["practitioner"]},
        )
    assert response.status_code == 302
    person = User.objects.get(email="casey@riverbend.example")
    [event] = recorded(response, since, (Action.INVITE, person, admin_user))
    assert event.detail == {"roles": ["practitioner"]}

    since = mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("invitation_resend", args=[person.pk]))
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.INVITE, person, admin_user))
    assert event.detail == {"resent": True}

    run_tasks()
    since = mark()
    new_password = "my-own-long-password-3"
    response = Client(REMOTE_ADDR=IP).post(
        invitation_path(mail.outbox[-1]), {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    recorded(response, since, (Action.INVITATION_ACCEPTED, person, person), (Action.LOGIN, account(person), person))


def test_role_changes_deactivation_and_reactivation_are_recorded(admin_user, practitioner):
    admin = signed_in(admin_user, reauthenticated=True)
    since = mark()
    response = admin.post(reverse("person_roles", args=[practitioner.pk]), {"roles": ["practitioner", "supervisor"]})
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.ROLE_CHANGE, practitioner, admin_user))
    assert event.detail == {"old": ["practitioner"], "new": ["practitioner", "supervisor"]}
    # Saving the same roles again changes nothing, and records nothing.
    since = mark()
    response = admin.post(reverse("person_roles", args=[practitioner.pk]), {"roles": ["practitioner", "supervisor"]})
    recorded(response, since)

    for name, action in [("person_deactivate", Action.DEACTIVATE), ("person_reactivate", Action.REACTIVATE)]:
        since = mark()
        response = admin.post(reverse(name, args=[practitioner.pk]))
        assert response.status_code == 302
        recorded(response, since, (action, practitioner, admin_user))


def test_organization_settings_changes_name_the_fields_only(admin_user, organization):
    admin = signed_in(admin_user, reauthenticated=True)
    page = admin.get(reverse("organization_settings"))
    since = mark()
    changes = {"name": "Riverbend Family Services", "confidentiality_limits": f"New limits, {MARKER}."}
    response = admin.post(reverse("organization_settings"), settings_form(page, **changes))
    assert response.status_code == 302
    [event] = recorded(response, since, (Action.SETTINGS_CHANGE, organization, admin_user))
    assert event.detail == {"fields": ["confidentiality_limits", "name"]}
    assert MARKER not in serializers.serialize("json", [event])
    # Saved again unchanged: nothing to record.
    since = mark()
    page = admin.get(reverse("organization_settings"))
    response = admin.post(reverse("organization_settings"), settings_form(page))
    assert response.status_code == 302
    recorded(response, since)


# --- Access refused -------------------------------------------------------------------------


@pytest.fixture
def theirs(organization, other_practitioner, admin_user, other_supervisor):
    """Records of someone else, which the persona practitioner reaches for."""
    other_agreement = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=other_supervisor,
        supervisee=other_practitioner,
        starts_on=datetime.date(2026, 1, 1),
        **acknowledged(),
    )
    family = Family.objects.create(organization=organization, code="ZZ-9", context=Family.Context.OTHER)
    family.practitioners.add(other_practitioner)
    (session,) = schedule(other_agreement)
    return {
        "reflection_detail": write(other_practitioner),
        "reflection_edit": write(other_practitioner),
        "session_detail": session,
        "session_document": session,
        "family_detail": family,
        "family_edit": family,
        "person_detail": admin_user,
    }


@pytest.mark.parametrize(
    "name",
    [
        "reflection_detail",
        "reflection_edit",
        "session_detail",
        "session_document",
        "family_detail",
        "family_edit",
        "person_detail",
    ],
)
def test_reaching_for_someone_elses_record_is_recorded_as_refused(practitioner, theirs, name):
    record = theirs[name]
    client = signed_in(practitioner)
    since = mark()
    response = client.get(reverse(name, args=[record.pk]))
    assert response.status_code == 404
    [event] = recorded(response, since, (Action.ACCESS_REFUSED, record, practitioner))
    assert event.detail == {"url_name": name, "method": "GET"}


def test_a_refused_follow_up_names_the_follow_up_not_a_session_of_that_number(
    practitioner, supervisor, held_session, other_practitioner
):
    follow_up = FollowUp.objects.create(session=held_session, text="Theirs", owner=supervisor)
    client = signed_in(other_practitioner)
    since = mark()
    response = client.post(reverse("follow_up_done", args=[follow_up.pk]), {"done": "1"})
    assert response.status_code == 404
    [event] = recorded(response, since, (Action.ACCESS_REFUSED, (RecordType.SESSION, None), other_practitioner))
    assert event.detail == {"url_name": "follow_up_done", "method": "POST", "pk": follow_up.pk}


def test_the_login_sessions_own_pages_are_not_mistaken_for_supervision_sessions():
    assert audit.record_type_for_url("session_status") == RecordType.ACCOUNT
    assert audit.record_type_for_url("session_detail") == RecordType.SESSION
    assert audit.record_type_for_url("invitation_resend") == RecordType.PERSON


def test_anonymous_visitors_and_unknown_addresses_record_no_refusal(practitioner, theirs):
    since = mark()
    response = Client(REMOTE_ADDR=IP).get(reverse("reflection_detail", args=[theirs["reflection_detail"].pk]))
    assert response.status_code == 302
    recorded(response, since)
    client = signed_in(practitioner)
    since = mark()
    for path in ["/no-such-page/", "/reflections/not-a-number/", "/families/99999999/extra/"]:
        response = client.get(path)
        assert response.status_code == 404
    recorded(response, since)


# --- Nobody's writing, anywhere -------------------------------------------------------------


def test_no_writing_reaches_the_trail_or_the_logs(
    caplog, practitioner, supervisor, admin_user, agreement, family, django_capture_on_commit_callbacks
):
    # Every logger at DEBUG, as with LOG_LEVEL=DEBUG, but for the two the settings keep quiet at any
    # level because they would log people's writing (SQL parameters, template contexts).
    quieted = set(django_settings.LOGGING["loggers"])
    assert quieted == {"django.db.backends", "django.template"}
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and not any(name == q or name.startswith(q + ".") for q in quieted):
            caplog.set_level(logging.DEBUG, logger=name)
    words = f"We wondered about the {MARKER} feeling"
    author, reader = signed_in(practitioner), signed_in(supervisor)
    admin = signed_in(admin_user, reauthenticated=True)

    # A reflection, written with autosave, edited, shared with words about the baby, answered.
    data = reflection_form(title=f"{MARKER} title", checkin_words=MARKER, family=family.pk, checkin_score="3")
    data.update(dict.fromkeys(SECTION_FIELDS, words))
    data["baby_experience"] = ""
    author.post(reverse("reflection_create"), data, headers=AUTOSAVE)
    reflection = Reflection.objects.get()
    url = reverse("reflection_edit", args=[reflection.pk])
    author.post(url, reflection_form(reflection, wondering=f"{words}, again", sitting="two"), headers=AUTOSAVE)
    author.post(url, reflection_form(reflection, wondering=f"{words}, and again", sitting="two"))
    response = author.post(
        reverse("reflection_share", args=[reflection.pk]), {"supervisors": [supervisor.pk], "baby_words": words}
    )
    assert response.status_code == 302
    reader.get(reverse("reflection_detail", args=[reflection.pk]))
    reader.post(reverse("response_draft", args=[reflection.pk]), {"text": words})
    reader.post(reverse("response_create", args=[reflection.pk]), {"text": words})
    author.get(reverse("reflection_detail", args=[reflection.pk]))
    author.get(reverse("reflection_versions", args=[reflection.pk]))
    # A session: on the agenda, cancelled; another held, its notes written, followed up, signed, reopened.
    (upcoming,) = schedule(agreement)
    author.post(reverse("agenda_add", args=[upcoming.pk]), {"family": family.pk, "text": words})
    reader.get(reverse("session_prepare", args=[upcoming.pk]))
    reader.post(reverse("session_cancel", args=[upcoming.pk]), {"reason": words})
    (past,) = schedule(agreement, starts_at=NOW - datetime.timedelta(hours=3))
    reader.post(reverse("session_attendance", args=[past.pk]), {"status": "held", f"attended_{practitioner.pk}": "on"})
    notes = reverse("session_document", args=[past.pk])
    reader.post(notes, {"notes": words, "version": 0, "sitting": "one"}, headers=AUTOSAVE)
    reader.post(notes, {"notes": f"{words}.", "version": 1, "sitting": "one"})
    reader.post(
        reverse("follow_up_create", args=[past.pk]), {"text": words, "owner": practitioner.pk, "kind": "safety"}
    )
    reader.post(reverse("session_sign", args=[past.pk]))
    reader.post(reverse("session_reopen", args=[past.pk]), {"reason": words})
    reader.get(reverse("session_detail", args=[past.pk]))
    reader.get(reverse("session_versions", args=[past.pk]))
    # A family with a caregiver's notes; the agreement's and the organization's words.
    response = author.post(
        reverse("family_edit", args=[family.pk]),
        family_form(
            family,
            **{
                "caregivers-TOTAL_FORMS": "1",
                "caregivers-0-relationship": Caregiver.Relationship.MOTHER,
                "caregivers-0-notes": words,
            },
        ),
    )
    assert response.status_code == 302
    author.get(reverse("family_detail", args=[family.pk]))
    admin.post(reverse("agreement_edit", args=[agreement.pk]), terms_form(agreement, confidentiality_limits=words))
    page = admin.get(reverse("organization_settings"))
    admin.post(reverse("organization_settings"), settings_form(page, confidentiality_limits=words))
    # A wrong password, typed by someone who knows a little.
    Client(REMOTE_ADDR=IP).post(reverse("account_login"), {"login": practitioner.email, "password": words})

    # Everything above happened, and is in the trail.
    assert Reflection.objects.get().responses.get().text == words
    assert Family.objects.get().caregivers.get().notes == words
    assert SupervisionSession.objects.get(pk=past.pk).notes == f"{words}."
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions >= {
        Action.CREATE,
        Action.EDIT,
        Action.SHARE,
        Action.RESPOND,
        Action.READ,
        Action.CANCEL,
        Action.ATTENDANCE,
        Action.SIGN,
        Action.REOPEN,
        Action.SETTINGS_CHANGE,
        Action.LOGIN_FAILED,
    }
    assert "audit read reflection:" in caplog.text
    # And none of anyone's words.
    trail = serializers.serialize("json", AuditEvent.objects.all())
    assert MARKER not in trail
    assert MARKER not in caplog.text


# --- Append-only ----------------------------------------------------------------------------


def test_an_event_once_written_cannot_be_changed_or_deleted(practitioner):
    event = audit.record(None, Action.READ, record_type=RecordType.REFLECTION, record_id=7, actor=practitioner)
    event.detail = {"changed": True}
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == {}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The trigger that refuses changes is PostgreSQL's; SQLite has none."
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE rsc_auditevent SET action = 'login', detail = '{}' WHERE id = %s",
        "DELETE FROM rsc_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_event(practitioner, sql):
    event = audit.record(
        None, Action.READ, record_type=RecordType.REFLECTION, record_id=7, actor=practitioner, detail={"page": "x"}
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.action, kept.detail) == (Action.READ, {"page": "x"})


# --- Who has read it: transparency for the author -------------------------------------------


def read_at(person, reflection, moment, clock) -> Client:
    clock.move_to(moment)
    client = signed_in(person)
    assert client.get(reverse("reflection_detail", args=[reflection.pk])).status_code == 200
    return client


def readers_shown(response) -> list[str]:
    content = response.content.decode()
    match = re.search(r'<ul[^>]*id="readers"[^>]*>(.*?)</ul>', content, re.S)
    if not match:
        return []
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in re.findall(r"<li>(.*?)</li>", match.group(1))]


def test_the_author_sees_who_else_has_read_it_and_when_in_their_own_time_zone(
    organization, shared_reflection, practitioner, supervisor, other_supervisor, clock
):
    # The other supervisor facilitates the author's group: they may read it, but do not supervise the author.
    group = RSCGroup.objects.create(organization=organization, name="Circle", facilitator=other_supervisor)
    group.members.add(practitioner)
    services.reflection_share(reflection=shared_reflection, supervisors=[other_supervisor])
    practitioner.time_zone = "Pacific/Auckland"
    practitioner.save()
    author = signed_in(practitioner)
    response = author.get(reverse("reflection_detail", args=[shared_reflection.pk]))
    assert "Who has read it" in response.content.decode()
    assert "Nobody else has read it yet." in response.content.decode()

    utc = datetime.UTC
    read_at(supervisor, shared_reflection, datetime.datetime(2026, 3, 3, 20, 0, tzinfo=utc), clock)
    read_at(other_supervisor, shared_reflection, datetime.datetime(2026, 3, 5, 12, 0, tzinfo=utc), clock)
    # The supervisor read it again: the most recent read is the one shown. 7 March 03:00 is 16:00 in Auckland.
    read_at(supervisor, shared_reflection, datetime.datetime(2026, 3, 7, 3, 0, tzinfo=utc), clock)
    # The author's own reads are never listed.
    author = read_at(practitioner, shared_reflection, datetime.datetime(2026, 3, 8, 3, 0, tzinfo=utc), clock)
    response = author.get(reverse("reflection_detail", args=[shared_reflection.pk]))
    assert readers_shown(response) == [
        "Read by Sasha Supervisor (your supervisor), 7 March",
        "Read by Morgan Other, 6 March",
    ]
    assert [reader.name for reader in response.context["readers"]] == ["Sasha Supervisor", "Morgan Other"]


def test_only_the_author_sees_who_has_read_it(shared_reflection, practitioner, supervisor):
    reader = signed_in(supervisor)
    reader.get(reverse("reflection_detail", args=[shared_reflection.pk]))
    response = reader.get(reverse("reflection_detail", args=[shared_reflection.pk]))
    assert response.status_code == 200
    assert "Who has read it" not in response.content.decode()
    assert "Read by" not in response.content.decode()
    assert "readers" not in response.context
    response = signed_in(practitioner).get(reverse("reflection_detail", args=[shared_reflection.pk]))
    assert readers_shown(response) == ["Read by Sasha Supervisor (your supervisor), 2 March"]


def test_a_private_draft_has_no_readers_section(reflection, practitioner):
    response = signed_in(practitioner).get(reverse("reflection_detail", args=[reflection.pk]))
    assert response.context["readers"] == []
    assert "Who has read it" not in response.content.decode()


def test_reads_of_another_reflection_or_organization_are_not_counted(
    shared_reflection, practitioner, supervisor, stranger
):
    other = write(practitioner)
    services.reflection_share(reflection=other, supervisors=[supervisor])
    signed_in(supervisor).get(reverse("reflection_detail", args=[other.pk]))
    # An event with the same record id in another organization (written by hand) is not this reflection's.
    audit.record(None, Action.READ, record_type=RecordType.REFLECTION, record_id=shared_reflection.pk, actor=stranger)
    assert services.readers(shared_reflection) == []
    assert [reader.name for reader in services.readers(other)] == ["Sasha Supervisor"]


def test_a_reader_who_has_since_left_is_still_listed(shared_reflection, practitioner, organization):
    former = make_person(organization, "gone@riverbend.example", "Gone Person", User.Role.SUPERVISOR)
    audit.record(None, Action.READ, shared_reflection, actor=former)
    former.delete()
    response = signed_in(practitioner).get(reverse("reflection_detail", args=[shared_reflection.pk]))
    assert readers_shown(response) == ["Read by someone who has since left, 2 March"]


def test_an_id_too_large_for_any_record_is_refused_and_recorded_without_one(practitioner):
    client = signed_in(practitioner)
    since = mark()
    response = client.get(f"/families/{2**63}/")
    assert response.status_code == 404
    [event] = recorded(response, since, (Action.ACCESS_REFUSED, (RecordType.FAMILY, None), practitioner))
    assert event.detail == {"url_name": "family_detail", "method": "GET", "pk": str(2**63)}
