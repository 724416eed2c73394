"""Retention: what `apply_retention` purges, and what it must leave (hours, others' records, the audit trail)."""

import datetime
import io
import json
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, User
from rsc import audit
from rsc.models import (
    AgendaItem,
    AuditEvent,
    Caregiver,
    Child,
    Family,
    FollowUp,
    Reflection,
    ReflectionResponse,
    ReflectionShare,
    ReflectionVersion,
    ResponseDraft,
    RSCGroup,
    SessionNoteVersion,
    SessionParticipant,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.services import reflections as reflections
from rsc.services import retention
from rsc.services import sessions as scheduling
from tests.conftest import acknowledged, make_person, mark_reauthenticated

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
BUILT = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CHICAGO)
# Seven years and six weeks after the world below was built.
LATER = datetime.datetime(2033, 8, 1, 10, 0, tzinfo=CHICAGO)
PURGE = AuditEvent.Action.PURGE
# Words that appear only in people's writing: none may reach the audit trail or the output.
SECRET = "zephyrine"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(BUILT, tick=False) as traveller:
        yield traveller


def write(author, family=None, text="", **data) -> Reflection:
    return reflections.reflection_create(
        author=author,
        data={"what_happened": f"{SECRET} {text}", "baby_experience": f"{SECRET} baby", "family": family, **data},
    )


def held_session(agreement=None, group=None, *, notes: str, supervisor) -> SupervisionSession:
    """A session a week ago: agenda while scheduled, then held and attended, notes twice, a follow-up, signed."""
    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        agreement=agreement,
        group=group,
        starts_at=BUILT - datetime.timedelta(days=7),
        duration_minutes=90,
        modality=SupervisionSession.Modality.VIDEO,
    )
    attendance = {p.user_id: SessionParticipant.Attendance.ATTENDED for p in session.participants.all()}
    scheduling.session_record_attendance(session=session, actor=supervisor, status="held", attendance=attendance)
    scheduling.session_save_notes(session=session, actor=supervisor, notes=notes, elements=[], expected_version=0)
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes=f"{notes} more", elements=["baby_in_mind"], expected_version=1
    )
    owner = agreement.supervisee if agreement else supervisor
    scheduling.follow_up_add(
        session=session, actor=supervisor, text=f"{SECRET} call", owner=owner, due_on=None, kind="reflective"
    )
    session.refresh_from_db()
    return scheduling.session_sign(session=session, actor=supervisor)


def scheduled_session(agreement, *, supervisor, days: int = 3) -> SupervisionSession:
    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        agreement=agreement,
        starts_at=BUILT + datetime.timedelta(days=days),
        duration_minutes=60,
        modality=SupervisionSession.Modality.PHONE,
    )
    return session


def make_family(organization, practitioner, code, *, closed_on=None) -> Family:
    """A family of the practitioner's; with `closed_on`, closed by them in the app that day (at midnight)."""
    family = Family.objects.create(
        organization=organization,
        code=code,
        context=Family.Context.HOME_VISITING,
        opened_on=datetime.date(2026, 1, 5),
        closed_on=closed_on,
        closed_at=datetime.datetime.combine(closed_on, datetime.time(0, 0), tzinfo=CHICAGO) if closed_on else None,
        closed_by=practitioner if closed_on else None,
    )
    family.practitioners.add(practitioner)
    Child.objects.create(family=family, label="K", birth_month=datetime.date(2025, 4, 1))
    Caregiver.objects.create(family=family, relationship="mother", notes=f"{SECRET} speaks Somali")
    return family


def minutes_held(person) -> int:
    """The person's RSC time: held sessions they attended (what hours are derived from)."""
    total = SessionParticipant.objects.filter(
        user=person,
        attendance=SessionParticipant.Attendance.ATTENDED,
        session__status=SupervisionSession.Status.HELD,
        session__deleted_at__isnull=True,
    ).aggregate(total=Sum("session__duration_minutes"))["total"]
    return total or 0


def run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def purge_events(organization=None) -> set[tuple[str, int, str]]:
    events = AuditEvent.objects.filter(action=PURGE)
    if organization is not None:
        events = events.filter(organization_id=organization.pk)
    return {(event.record_type, event.record_id, event.detail["rule"]) for event in events}


def row_counts() -> dict[str, int]:
    models = [
        Family, Child, Caregiver, Reflection, ReflectionVersion, ReflectionResponse, ReflectionShare, ResponseDraft,
        SupervisionSession, SessionParticipant, SessionNoteVersion, AgendaItem, FollowUp, AuditEvent,
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@dataclass
class World:
    organization: Organization
    supervisor: User
    leaver: User  # left in July 2026: due in 2033
    stayer: User
    recent_leaver: User  # left in September 2027: six years before LATER
    closed_family: Family  # closed June 2026: due in 2033
    recently_closed: Family  # closed September 2027
    deleted_family: Family
    about_closed: Reflection  # the stayer's, about the closed family
    about_recent: Reflection
    leavers: list[Reflection]
    stayers: Reflection
    recent_leavers: Reflection
    leaver_session: SupervisionSession
    stayer_session: SupervisionSession
    group_session: SupervisionSession
    upcoming: SupervisionSession
    deleted_session: SupervisionSession
    deleted_29: Reflection
    deleted_31: Reflection
    about_deleted_family: Reflection


@pytest.fixture
def world(organization, supervisor, clock) -> World:
    leaver = make_person(organization, "lee@riverbend.example", "Lee Leaver", User.Role.PRACTITIONER)
    stayer = make_person(organization, "sam@riverbend.example", "Sam Stayer", User.Role.PRACTITIONER)
    recent = make_person(organization, "rae@riverbend.example", "Rae Recent", User.Role.PRACTITIONER)
    agreements = {
        person: SupervisionAgreement.objects.create(
            organization=organization,
            supervisor=supervisor,
            supervisee=person,
            starts_on=datetime.date(2026, 1, 1),
            confidentiality_limits="Mandated reporting applies.",
            **acknowledged(),
        )
        for person in (leaver, stayer, recent)
    }
    closed = make_family(organization, stayer, "CL-1", closed_on=datetime.date(2026, 6, 1))
    recently_closed = make_family(organization, stayer, "RC-2", closed_on=datetime.date(2027, 9, 1))
    deleted_family = make_family(organization, stayer, "DF-3")
    open_family = make_family(organization, leaver, "OP-4")

    about_closed = write(stayer, closed, "about the closed family")
    reflections.reflection_share(reflection=about_closed, supervisors=[supervisor])
    reflections.response_add(reflection=about_closed, author=supervisor, text=f"{SECRET} reply")
    reflections.response_draft_save(reflection=about_closed, author=supervisor, text=f"{SECRET} draft")
    about_recent = write(stayer, recently_closed)

    leavers = [write(leaver, open_family, checkin_score=2, checkin_words=f"{SECRET} tired"), write(leaver)]
    reflections.reflection_share(reflection=leavers[0], supervisors=[supervisor])
    reflections.response_add(reflection=leavers[0], author=supervisor, text=f"{SECRET} reply")
    leavers_deleted = write(leaver)
    reflections.reflection_delete(reflection=leavers_deleted)
    leavers.append(leavers_deleted)

    stayers = write(stayer)
    reflections.reflection_share(reflection=stayers, supervisors=[supervisor])
    reflections.response_add(reflection=stayers, author=supervisor, text=f"{SECRET} from the supervisor")
    reflections.response_add(reflection=stayers, author=leaver, text=f"{SECRET} from the leaver")
    reflections.response_draft_save(reflection=stayers, author=leaver, text=f"{SECRET} leaver's draft")
    recent_leavers = write(recent)

    leaver_session = held_session(agreements[leaver], notes=f"{SECRET} with Lee", supervisor=supervisor)
    stayer_session = held_session(agreements[stayer], notes=f"{SECRET} with Sam", supervisor=supervisor)
    group = RSCGroup.objects.create(organization=organization, name="Circle", facilitator=supervisor)
    group.members.add(leaver, stayer)
    (group_session,) = scheduling.sessions_schedule(
        supervisor=supervisor, group=group, starts_at=BUILT + datetime.timedelta(days=2), duration_minutes=120,
        modality="in_person",
    )  # fmt: skip
    scheduling.agenda_add(session=group_session, author=leaver, text=f"{SECRET} Lee's theme")
    scheduling.agenda_add(session=group_session, author=stayer, text=f"{SECRET} Sam's theme")
    scheduling.agenda_add(session=group_session, author=stayer, family=closed, text=f"{SECRET} closed family")
    scheduling.agenda_add(session=group_session, author=stayer, family=recently_closed)
    upcoming = scheduled_session(agreements[stayer], supervisor=supervisor)
    scheduling.agenda_add(session=upcoming, author=stayer, family=deleted_family)
    scheduling.agenda_add(session=upcoming, author=stayer, family=deleted_family, text=f"{SECRET} worried")
    deleted_session = scheduled_session(agreements[stayer], supervisor=supervisor, days=5)

    deleted_29, deleted_31 = write(stayer), write(stayer)
    about_deleted_family = write(stayer, deleted_family)

    # People leave, and records are deleted, at their own moments.
    User.objects.filter(pk=leaver.pk).update(
        is_active=False, deactivated_at=datetime.datetime(2026, 7, 1, tzinfo=CHICAGO)
    )
    User.objects.filter(pk=recent.pk).update(
        is_active=False, deactivated_at=datetime.datetime(2027, 9, 1, tzinfo=CHICAGO)
    )
    Reflection.objects.filter(pk=deleted_29.pk).update(deleted_at=LATER - datetime.timedelta(days=29))
    Reflection.objects.filter(pk=deleted_31.pk).update(deleted_at=LATER - datetime.timedelta(days=31))
    Family.objects.filter(pk=deleted_family.pk).update(deleted_at=LATER - datetime.timedelta(days=31))
    SupervisionSession.objects.filter(pk=deleted_session.pk).update(deleted_at=LATER - datetime.timedelta(days=31))
    return World(
        organization=organization, supervisor=supervisor, leaver=leaver, stayer=stayer, recent_leaver=recent,
        closed_family=closed, recently_closed=recently_closed, deleted_family=deleted_family,
        about_closed=about_closed, about_recent=about_recent, leavers=leavers, stayers=stayers,
        recent_leavers=recent_leavers, leaver_session=leaver_session, stayer_session=stayer_session,
        group_session=group_session, upcoming=upcoming, deleted_session=deleted_session, deleted_29=deleted_29,
        deleted_31=deleted_31, about_deleted_family=about_deleted_family,
    )  # fmt: skip


def exists(instance) -> bool:
    return type(instance).objects.filter(pk=instance.pk).exists()


# --- What is due ----------------------------------------------------------------------------


def test_nothing_is_due_before_the_periods_pass(world, clock):
    clock.move_to(BUILT + datetime.timedelta(days=10))
    before = row_counts()
    assert "nothing due" in run()
    assert row_counts() == before


def test_a_family_closed_seven_years_ago_goes_with_the_writing_about_it(world, clock):
    clock.move_to(LATER)
    run()
    assert not exists(world.closed_family)
    assert not Child.objects.filter(family_id=world.closed_family.pk).exists()
    assert not Caregiver.objects.filter(family_id=world.closed_family.pk).exists()
    assert not exists(world.about_closed)
    for model in (ReflectionVersion, ReflectionResponse, ReflectionShare, ResponseDraft):
        assert not model.objects.filter(reflection_id=world.about_closed.pk).exists()
    # The agenda item naming it goes; the session and its other items stay.
    assert exists(world.group_session)
    assert not AgendaItem.objects.filter(text__contains="closed family").exists()
    assert AgendaItem.objects.filter(session=world.group_session, author=world.stayer, family=None).exists()


def close_in_the_app(client, person, family, closed_on: str) -> None:
    client.force_login(person)
    assert client.post(reverse("family_close", args=[family.pk]), {"closed_on": closed_on}).status_code == 302


def test_backdating_a_familys_dates_purges_nothing(client, organization, practitioner, other_practitioner, clock):
    """The attack: open a family "in 2000", close it "in 2000", and let the next run remove every
    colleague's writing about it at once."""
    client.force_login(practitioner)
    data = {
        "code": "BD-1",
        "context": Family.Context.HOME_VISITING,
        "opened_on": "2000-01-03",
        "colleagues": [other_practitioner.pk],
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
        "caregivers-TOTAL_FORMS": "0",
        "caregivers-INITIAL_FORMS": "0",
    }
    assert client.post(reverse("family_create"), data).status_code == 302
    family = Family.objects.get(code="BD-1")
    theirs, mine = write(other_practitioner, family, "the colleague's"), write(practitioner, family)
    close_in_the_app(client, practitioner, family, "2000-01-04")
    assert "nothing due" in run()
    clock.move_to(BUILT + datetime.timedelta(days=365 * 7))
    run()
    assert exists(family) and exists(theirs) and exists(mine)
    assert not AuditEvent.objects.filter(action=PURGE).exists()


def test_a_family_really_closed_seven_years_ago_goes(client, organization, practitioner, clock):
    family = make_family(organization, practitioner, "RC-7")
    reflection = write(practitioner, family)
    close_in_the_app(client, practitioner, family, BUILT.date().isoformat())
    clock.move_to(datetime.datetime(2033, 6, 15, 9, 59, tzinfo=CHICAGO))
    run()
    assert exists(family) and exists(reflection)
    clock.move_to(datetime.datetime(2033, 6, 15, 10, 0, tzinfo=CHICAGO))
    run()
    assert not exists(family) and not exists(reflection)
    assert purge_events() == {("family", family.pk, "family_closed"), ("reflection", reflection.pk, "family_closed")}


def test_colleagues_writing_waits_the_restore_window_after_closing(
    client, organization, practitioner, other_practitioner, clock
):
    Organization.objects.filter(pk=organization.pk).update(purge_after_family_closed_years=1, restore_window_days=500)
    shared = make_family(organization, practitioner, "SH-1")
    shared.practitioners.add(other_practitioner)
    alone = make_family(organization, practitioner, "AL-2")
    unknown = make_family(organization, practitioner, "UN-3")
    colleagues = write(other_practitioner, shared)
    own, own_too = write(practitioner, alone), write(practitioner, unknown)
    for family in (shared, alone, unknown):
        close_in_the_app(client, practitioner, family, BUILT.date().isoformat())
    # Who closed it is no longer known (their account was removed): anyone's writing may be a colleague's.
    Family.objects.filter(pk=unknown.pk).update(closed_by=None)

    # A year on, only the family no one else wrote about goes.
    clock.move_to(BUILT + datetime.timedelta(days=366))
    run()
    assert not exists(alone) and not exists(own)
    assert exists(shared) and exists(colleagues) and exists(unknown) and exists(own_too)
    # The colleague still has time to notice, and reopen.
    clock.move_to(BUILT + datetime.timedelta(days=500) - datetime.timedelta(minutes=1))
    run()
    assert exists(shared) and exists(unknown)
    clock.move_to(BUILT + datetime.timedelta(days=500))
    run()
    assert not exists(shared) and not exists(colleagues) and not exists(unknown) and not exists(own_too)


def test_a_family_closed_six_years_ago_stays(world, clock):
    clock.move_to(LATER)
    run()
    family = Family.objects.get(pk=world.recently_closed.pk)
    assert family.children.count() == 1 and family.caregivers.get().notes.startswith(SECRET)
    assert Reflection.objects.get(pk=world.about_recent.pk).family_id == family.pk
    assert AgendaItem.objects.filter(family=family).count() == 1


def test_a_closed_family_is_due_on_the_anniversary_of_its_closing(world, clock):
    clock.move_to(datetime.datetime(2033, 5, 31, 12, 0, tzinfo=CHICAGO))
    run()
    assert exists(world.closed_family)
    clock.move_to(datetime.datetime(2033, 6, 1, 0, 30, tzinfo=CHICAGO))
    run()
    assert not exists(world.closed_family)


def test_the_writing_of_a_person_who_left_seven_years_ago_goes(world, clock):
    clock.move_to(LATER)
    run()
    assert not Reflection.objects.filter(author=world.leaver).exists()  # deleted ones too
    for reflection in world.leavers:
        for model in (ReflectionVersion, ReflectionResponse, ReflectionShare):
            assert not model.objects.filter(reflection_id=reflection.pk).exists()
    # Their response and draft under someone else's reflection go; the reflection and others' responses stay.
    assert exists(world.stayers)
    assert list(ReflectionResponse.objects.filter(reflection=world.stayers).values_list("author", flat=True)) == [
        world.supervisor.pk
    ]
    assert not ResponseDraft.objects.filter(author=world.leaver).exists()
    # Their agenda items go; others' stay.
    assert not AgendaItem.objects.filter(author=world.leaver).exists()
    assert AgendaItem.objects.filter(session=world.group_session, author=world.stayer).exists()
    # The person's account stays (who they were is needed to read the session log).
    assert User.objects.filter(pk=world.leaver.pk).exists()


def test_a_person_who_left_keeps_their_hours(world, clock):
    before_minutes = minutes_held(world.leaver)
    session = SupervisionSession.objects.get(pk=world.leaver_session.pk)
    assert before_minutes == 90 and session.notes
    clock.move_to(LATER)
    run()
    after = SupervisionSession.objects.get(pk=world.leaver_session.pk)
    assert minutes_held(world.leaver) == before_minutes
    assert (after.starts_at, after.duration_minutes, after.modality, after.status) == (
        session.starts_at,
        session.duration_minutes,
        session.modality,
        session.status,
    )
    assert after.signed_at == session.signed_at and after.signed_by_id == world.supervisor.pk
    assert after.participants.get().attendance == SessionParticipant.Attendance.ATTENDED
    assert list(after.elements.values_list("element", flat=True)) == ["baby_in_mind"]
    assert after.events.count() == session.events.count()
    # The writing is gone.
    assert after.notes == ""
    assert not after.note_versions.exists()
    assert not after.follow_ups.exists()


def test_others_sessions_keep_their_notes(world, clock):
    clock.move_to(LATER)
    run()
    assert SupervisionSession.objects.get(pk=world.stayer_session.pk).notes.startswith(SECRET)
    assert SessionNoteVersion.objects.filter(session=world.stayer_session).count() == 2
    assert FollowUp.objects.filter(session=world.stayer_session).count() == 1


def test_a_person_who_left_six_years_ago_keeps_their_reflections(world, clock):
    clock.move_to(LATER)
    run()
    assert exists(world.recent_leavers)
    assert ReflectionVersion.objects.filter(reflection=world.recent_leavers).exists()


def test_a_person_who_came_back_is_not_due(world, clock):
    User.objects.filter(pk=world.leaver.pk).update(is_active=True, deactivated_at=None)
    clock.move_to(LATER)
    run()
    assert Reflection.objects.filter(author=world.leaver, deleted_at=None).count() == 2
    assert {rule for _type, _id, rule in purge_events()} == {"restore_window", "family_closed"}


def test_deleted_records_go_after_the_restore_window(world, clock):
    clock.move_to(LATER)
    run()
    assert exists(world.deleted_29)
    assert not exists(world.deleted_31)
    assert not exists(world.deleted_session)
    assert not exists(world.deleted_family)
    # A family deleted by mistake takes its children and caregivers; people's writing stays, unlinked.
    assert not Caregiver.objects.filter(family_id=world.deleted_family.pk).exists()
    assert Reflection.objects.get(pk=world.about_deleted_family.pk).family_id is None
    items = list(AgendaItem.objects.filter(session=world.upcoming).values_list("family_id", "text"))
    assert items == [(None, f"{SECRET} worried")]


def test_a_deleted_reflection_is_kept_for_the_organizations_window(world, clock):
    Organization.objects.filter(pk=world.organization.pk).update(restore_window_days=60)
    clock.move_to(LATER)
    run()
    assert exists(world.deleted_31)
    assert exists(world.deleted_family)


# --- The audit trail ------------------------------------------------------------------------


def test_each_purged_record_has_one_purge_event_without_text(world, clock):
    clock.move_to(LATER)
    run()
    events = list(AuditEvent.objects.filter(action=PURGE))
    session, family, reflection = "session", "family", "reflection"
    expected = {
        (family, world.closed_family.pk, "family_closed"),
        (reflection, world.about_closed.pk, "family_closed"),
        (session, world.group_session.pk, "family_closed"),  # the agenda item naming the family
        *((reflection, r.pk, "person_left") for r in world.leavers),
        (reflection, world.stayers.pk, "person_left"),  # their response and draft there
        (session, world.leaver_session.pk, "person_left"),  # notes, versions, follow-up
        (session, world.group_session.pk, "person_left"),  # their agenda item
        (reflection, world.deleted_31.pk, "restore_window"),
        (session, world.deleted_session.pk, "restore_window"),
        (family, world.deleted_family.pk, "restore_window"),
    }
    assert len(events) == len(expected)
    assert purge_events() == expected
    for event in events:
        assert event.actor_id is None and event.actor_email == "" and event.ip is None
        assert event.organization_id == world.organization.pk
        assert all(
            isinstance(value, int | bool) for key, value in event.detail.items() if key not in {"rule", "status"}
        )
    dumped = json.dumps([event.detail for event in events])
    assert SECRET not in dumped and "CL-1" not in dumped
    details = {(e.record_type, e.record_id, e.detail["rule"]): e.detail for e in events}
    assert details[(family, world.closed_family.pk, "family_closed")] == {
        "rule": "family_closed", "children": 1, "caregivers": 1, "reflections": 1, "agenda_items": 1,
    }  # fmt: skip
    assert details[(reflection, world.about_closed.pk, "family_closed")] == {
        "rule": "family_closed", "family_id": world.closed_family.pk, "versions": 1, "responses": 1, "shares": 1,
        "response_drafts": 1,
    }  # fmt: skip
    assert details[(session, world.leaver_session.pk, "person_left")] == {
        "rule": "person_left", "person_id": world.leaver.pk, "agenda_items": 0, "notes_cleared": True,
        "note_versions": 2, "follow_ups": 1,
    }  # fmt: skip
    assert details[(session, world.deleted_session.pk, "restore_window")]["status"] == "scheduled"


def test_earlier_audit_events_about_purged_records_stay(world, clock):
    """Purging never touches the trail (on PostgreSQL a trigger would refuse it)."""
    audit.record(None, audit.Action.READ, world.leavers[0], actor=world.supervisor)
    clock.move_to(LATER)
    run()
    assert AuditEvent.objects.filter(
        action=audit.Action.READ, record_type="reflection", record_id=world.leavers[0].pk
    ).exists()


def test_running_again_purges_nothing(world, clock):
    clock.move_to(LATER)
    run()
    before, events = row_counts(), purge_events()
    output = run()
    assert "nothing due" in output
    assert row_counts() == before
    assert purge_events() == events
    # The next day, only what has become due since: the reflection deleted 30 days ago now.
    clock.move_to(LATER + datetime.timedelta(days=1))
    run()
    assert purge_events() - events == {("reflection", world.deleted_29.pk, "restore_window")}


def test_dry_run_reports_and_changes_nothing(world, clock):
    clock.move_to(LATER)
    before = row_counts()
    output = run("--dry-run")
    assert row_counts() == before
    assert "would purge" in output and "Dry run: nothing was changed." in output
    assert "families closed long enough ago: would purge 1 family, 1 reflection, the writing of 1 session." in output
    assert "deleted records past their restore window: would purge 1 family, 1 reflection, 1 session." in output
    assert SECRET not in output
    # And reports what a real run then does.
    report = retention.purge_due(dry_run=True)
    assert {(p.record_type, p.record_id, p.rule) for p in report.purges} == {
        (p.record_type, p.record_id, p.rule) for p in retention.purge_due().purges
    }


# --- Settings -------------------------------------------------------------------------------


def test_empty_periods_mean_never(world, clock):
    Organization.objects.filter(pk=world.organization.pk).update(
        purge_after_family_closed_years=None, purge_after_person_left_years=None
    )
    clock.move_to(LATER + datetime.timedelta(days=365 * 50))
    run()
    assert exists(world.closed_family) and exists(world.about_closed)
    assert Reflection.objects.filter(author=world.leaver, deleted_at=None).count() == 2
    assert SupervisionSession.objects.get(pk=world.leaver_session.pk).notes
    # Deleted records still go after their window.
    assert not exists(world.deleted_31)
    assert {rule for _type, _id, rule in purge_events()} == {"restore_window"}


def test_organizations_are_independent(world, clock, other_organization, stranger, stranger_supervisor):
    Organization.objects.filter(pk=other_organization.pk).update(
        purge_after_family_closed_years=None, purge_after_person_left_years=3
    )
    theirs = make_family(other_organization, stranger, "CL-1", closed_on=datetime.date(2026, 6, 1))
    their_reflection = write(stranger, theirs)
    departed = make_person(other_organization, "gone@farhills.example", "Gone Early", User.Role.PRACTITIONER)
    departed_writing = write(departed)
    User.objects.filter(pk=departed.pk).update(
        is_active=False, deactivated_at=datetime.datetime(2026, 7, 1, tzinfo=CHICAGO)
    )

    # Four years on, the other organization's three years have passed; Riverbend's seven have not.
    clock.move_to(datetime.datetime(2030, 8, 1, tzinfo=CHICAGO))
    run()
    assert not exists(departed_writing)
    assert Reflection.objects.filter(author=world.leaver, deleted_at=None).count() == 2
    assert {rule for _type, _id, rule in purge_events(world.organization)} == {"restore_window"}

    clock.move_to(LATER)
    run()
    assert not exists(world.closed_family)
    assert exists(theirs) and exists(their_reflection)
    assert {event[2] for event in purge_events(other_organization)} == {"person_left"}


def test_one_organization_failing_leaves_it_untouched_and_the_others_done(
    world, clock, other_organization, stranger, monkeypatch, caplog
):
    theirs = write(stranger)
    Reflection.objects.filter(pk=theirs.pk).update(deleted_at=LATER - datetime.timedelta(days=40))
    real = retention._purge_restore_window

    def refuse_for_riverbend(organization, now):
        if organization.pk == world.organization.pk:
            # Like Django's own: the records named in the error carry their text.
            raise ProtectedError("Cannot delete", [AgendaItem(text=f"{SECRET} in an error")])
        return real(organization, now)

    monkeypatch.setattr(retention, "_purge_restore_window", refuse_for_riverbend)
    clock.move_to(LATER)
    before = Reflection.objects.filter(organization=world.organization).count()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=f"organization {world.organization.pk}"):
        call_command("apply_retention", stdout=out, stderr=err)
    assert "ProtectedError" in err.getvalue()
    assert SECRET not in err.getvalue() + out.getvalue() + caplog.text
    # Everything in Riverbend rolled back, the other organization done.
    assert Reflection.objects.filter(organization=world.organization).count() == before
    assert exists(world.closed_family)
    assert purge_events(world.organization) == set()
    assert not exists(theirs)


def test_the_command_refuses_an_unknown_organization(world):
    with pytest.raises(CommandError, match="No organization with id 999"):
        run("--organization", "999")


def test_the_command_can_limit_itself_to_one_organization(world, clock, other_organization, stranger):
    theirs = write(stranger)
    Reflection.objects.filter(pk=theirs.pk).update(deleted_at=LATER - datetime.timedelta(days=40))
    clock.move_to(LATER)
    run("--organization", str(other_organization.pk))
    assert not exists(theirs)
    assert exists(world.closed_family)


def test_quiet_runs_print_nothing(world, clock):
    clock.move_to(LATER)
    out = io.StringIO()
    call_command("apply_retention", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert not exists(world.closed_family)


@pytest.mark.parametrize(
    ("moment", "years", "expected"),
    [
        (datetime.date(2033, 8, 1), 7, datetime.date(2026, 8, 1)),
        (datetime.date(2032, 2, 29), 7, datetime.date(2025, 2, 28)),
        (datetime.datetime(2033, 8, 1, 9, tzinfo=CHICAGO), 1, datetime.datetime(2032, 8, 1, 9, tzinfo=CHICAGO)),
    ],
)  # fmt: skip
def test_years_before_counts_calendar_years(moment, years, expected):
    assert retention.years_before(moment, years) == expected


def test_family_retention_counts_from_the_moment_of_closing(organization):
    organization.purge_after_family_closed_years = 7
    organization.time_zone = "Pacific/Auckland"
    # A moment, the same whatever the organization's time zone: families closed by then are due.
    now = datetime.datetime(2033, 7, 31, 18, 0, tzinfo=CHICAGO)
    assert retention.family_closed_cutoff(organization, now) == datetime.datetime(2026, 7, 31, 18, 0, tzinfo=CHICAGO)


# --- The organization's settings ------------------------------------------------------------


def settings_post(**retention_fields) -> dict:
    return {
        "name": "Riverbend Early Childhood",
        "time_zone": "America/Chicago",
        "confidentiality_limits": "Mandated reporting applies.",
        **retention_fields,
    }


def test_new_organizations_keep_seven_years_and_thirty_days(organization):
    assert organization.purge_after_family_closed_years == 7
    assert organization.purge_after_person_left_years == 7
    assert organization.restore_window_days == 30


def test_administrator_sets_the_retention_periods(admin_client, organization):
    page = admin_client.get(reverse("organization_settings")).content.decode()
    assert "Keeping and removing records" in page and 'name="restore_window_days"' in page
    response = admin_client.post(
        reverse("organization_settings"),
        settings_post(purge_after_family_closed_years="10", purge_after_person_left_years="", restore_window_days="14"),
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.purge_after_family_closed_years == 10
    assert organization.purge_after_person_left_years is None  # never
    assert organization.restore_window_days == 14


def test_an_empty_restore_window_is_the_usual_thirty_days(admin_client, organization):
    Organization.objects.filter(pk=organization.pk).update(restore_window_days=90)
    response = admin_client.post(reverse("organization_settings"), settings_post(restore_window_days=""))
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.restore_window_days == 30


@pytest.mark.parametrize(
    "fields",
    [
        {"restore_window_days": "0"},
        {"purge_after_family_closed_years": "0"},
        {"purge_after_person_left_years": "-1"},
        {"purge_after_person_left_years": "500"},
        {"restore_window_days": "seven"},
    ],
)
def test_retention_settings_refuse_nonsense(admin_client, admin_user, organization, fields):
    mark_reauthenticated(admin_client, admin_user)
    response = admin_client.post(reverse("organization_settings"), settings_post(**fields))
    assert response.status_code == 200
    organization.refresh_from_db()
    assert (organization.purge_after_family_closed_years, organization.purge_after_person_left_years) == (7, 7)
    assert organization.restore_window_days == 30


def test_a_purge_is_timestamped_when_it_runs(world, clock):
    clock.move_to(LATER)
    run()
    assert set(AuditEvent.objects.filter(action=PURGE).values_list("at", flat=True)) == {timezone.now()}
