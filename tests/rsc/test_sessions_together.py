"""Sessions set together and documented together: the agenda both people shape, the week view for
everyone, replies under the notes, signed notes pointed out, words that fit the moment, follow-ups
marked done with an undo, safe video links and the printed record."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rsc.models import (
    AgendaItem,
    AuditEvent,
    Child,
    Family,
    RSCGroup,
    SessionParticipant,
    SessionReply,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.services import retention
from rsc.services import sessions as scheduling
from tests.conftest import acknowledged, make_person

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=CHICAGO)  # a Wednesday
Action = AuditEvent.Action


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def family(organization, practitioner):
    family = Family.objects.create(organization=organization, code="JM-2", context=Family.Context.HOME_VISITING)
    family.practitioners.add(practitioner)
    Child.objects.create(family=family, label="K", birth_month=datetime.date(2025, 1, 1))
    return family


def schedule(agreement=None, *, group=None, supervisor=None, days=1.0, **options):
    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor or (agreement.supervisor if agreement else group.facilitator),
        agreement=agreement,
        group=group,
        starts_at=NOW + datetime.timedelta(days=days),
        duration_minutes=60,
        modality=options.pop("modality", SupervisionSession.Modality.VIDEO),
        location=options.pop("location", ""),
    )
    return session


def held(session, *, notes="", sign=False):
    SupervisionSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    session.refresh_from_db()
    scheduling.session_record_attendance(
        session=session,
        actor=session.supervisor,
        status="held",
        attendance={p.user_id: "attended" for p in session.participants.all()},
    )
    if notes:
        scheduling.session_save_notes(
            session=session, actor=session.supervisor, notes=notes, elements=[], expected_version=0
        )
        session.refresh_from_db()
    if sign:
        scheduling.session_sign(session=session, actor=session.supervisor)
    session.refresh_from_db()
    return session


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, name, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def agenda_of(session) -> list[str]:
    return [str(item) for item in AgendaItem.objects.filter(session=session)]


# 1. The agenda is set together ---------------------------------------------------------------


def test_the_supervisor_adds_to_the_agenda_on_the_session_page(agreement, supervisor, practitioner, family):
    session = schedule(agreement)
    client = signed_in(supervisor)
    assert "Add to the agenda" in page(client, "session_detail", session.pk)
    response = client.post(
        reverse("agenda_add", args=[session.pk]), {"family": family.pk, "text": "How the move lands on K"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[session.pk]) + "#agenda-title"
    item = AgendaItem.objects.get()
    assert (item.author, item.family, item.text) == (supervisor, family, "How the move lands on K")
    event = AuditEvent.objects.filter(action=Action.EDIT, detail__has_key="agenda_item_added").get()
    assert (event.actor, event.record_id, event.detail) == (supervisor, session.pk, {"agenda_item_added": item.pk})
    # Each reads who added it from their own side.
    assert "from you" in page(client, "session_detail", session.pk)
    assert "from Sasha Supervisor" in page(signed_in(practitioner), "session_detail", session.pk)


def test_the_supervisor_adds_from_the_preparation_page_and_comes_back_to_it(agreement, supervisor):
    session = schedule(agreement)
    client = signed_in(supervisor)
    content = page(client, "session_prepare", session.pk)
    assert 'name="from" value="prepare"' in content
    response = client.post(reverse("agenda_add", args=[session.pk]), {"text": "Endings", "from": "prepare"})
    assert response["Location"] == reverse("session_prepare", args=[session.pk]) + "#agenda-title"
    assert agenda_of(session) == ["Endings"]
    # Refused, the preparation page comes back with the words and the reason.
    response = client.post(reverse("agenda_add", args=[session.pk]), {"text": "", "from": "prepare"})
    assert response.status_code == 400
    assert "Choose a family or write a sentence." in response.content.decode()
    assert "Reflections shared with you" in response.content.decode()


def test_new_items_go_to_the_end_of_the_agenda(agreement, supervisor, practitioner):
    session = schedule(agreement)
    scheduling.agenda_add(session=session, author=practitioner, text="First")
    scheduling.agenda_add(session=session, author=supervisor, text="Second")
    scheduling.agenda_add(session=session, author=practitioner, text="Third")
    assert agenda_of(session) == ["First", "Second", "Third"]
    assert list(AgendaItem.objects.filter(session=session).values_list("position", flat=True)) == [1, 2, 3]


def test_a_supervisor_names_only_families_they_see_of_the_people_in_the_session(
    organization, agreement, supervisor, practitioner, other_practitioner, family
):
    # Quinn is supervised by Sasha too, but is not in this session: Quinn's family stays out of it.
    SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=supervisor,
        supervisee=other_practitioner,
        starts_on=datetime.date(2026, 1, 1),
        confidentiality_limits="Mandated reporting applies.",
        **acknowledged(),
    )
    quinns = Family.objects.create(organization=organization, code="QC-1", context=Family.Context.CHILD_CARE)
    quinns.practitioners.add(other_practitioner)
    session = schedule(agreement)
    client = signed_in(supervisor)
    content = page(client, "session_detail", session.pk)
    assert "JM-2" in content and "QC-1" not in content
    url = reverse("agenda_add", args=[session.pk])
    assert client.post(url, {"family": quinns.pk, "text": ""}).status_code == 400
    assert not AgendaItem.objects.exists()
    # Once the agreement with Pat is no longer in force, Pat's families are out of reach too: words only.
    SupervisionAgreement.objects.filter(pk=agreement.pk).update(supervisee_acknowledged_at=None)
    assert client.post(url, {"family": family.pk, "text": ""}).status_code == 400
    assert client.post(url, {"text": "Just a theme"}).status_code == 302
    assert agenda_of(session) == ["Just a theme"]


def test_the_supervisors_agenda_words_get_the_gentle_check(agreement, supervisor):
    session = schedule(agreement)
    client = signed_in(supervisor)
    url = reverse("agenda_add", args=[session.pk])
    response = client.post(url, {"text": "Call mum on 612-555-0147 before"})
    assert response.status_code == 400
    assert "Could this identify someone?" in response.content.decode()
    assert not AgendaItem.objects.exists()
    data = {"text": "Call mum on 612-555-0147 before", "keep_identifying": "on", "keep_passage": "612-555-0147"}
    assert client.post(url, data).status_code == 302


def test_either_person_moves_items_up_and_down(agreement, supervisor, practitioner):
    session = schedule(agreement)
    first = scheduling.agenda_add(session=session, author=practitioner, text="Mine")
    second = scheduling.agenda_add(session=session, author=supervisor, text="Theirs")
    third = scheduling.agenda_add(session=session, author=practitioner, text="Mine too")
    client = signed_in(supervisor)
    # The supervisor moves anyone's item.
    response = client.post(reverse("agenda_move", args=[session.pk, third.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert agenda_of(session) == ["Mine", "Mine too", "Theirs"]
    event = AuditEvent.objects.filter(detail__has_key="agenda_item_moved").get()
    assert (event.action, event.actor, event.detail) == (
        Action.EDIT,
        supervisor,
        {"agenda_item_moved": third.pk, "direction": "up"},
    )
    # The participant moves their own, not the supervisor's.
    them = signed_in(practitioner)
    assert them.post(reverse("agenda_move", args=[session.pk, first.pk]), {"direction": "down"}).status_code == 302
    assert agenda_of(session) == ["Mine too", "Mine", "Theirs"]
    assert them.post(reverse("agenda_move", args=[session.pk, second.pk]), {"direction": "up"}).status_code == 404
    assert agenda_of(session) == ["Mine too", "Mine", "Theirs"]
    # At the top already: nothing moves. Anything but up or down: refused.
    assert them.post(reverse("agenda_move", args=[session.pk, third.pk]), {"direction": "up"}).status_code == 302
    assert them.post(reverse("agenda_move", args=[session.pk, third.pk]), {"direction": "left"}).status_code == 400
    assert agenda_of(session) == ["Mine too", "Mine", "Theirs"]
    # The buttons are on the page, named by the item they move.
    content = page(client, "session_detail", session.pk)
    assert 'Move down<span class="visually-hidden">: Mine too</span>' in content
    assert 'Move up<span class="visually-hidden">: Mine too</span>' not in content  # it is first


def test_the_supervisor_removes_any_item_and_a_participant_only_their_own(agreement, supervisor, practitioner):
    session = schedule(agreement)
    mine = scheduling.agenda_add(session=session, author=practitioner, text="Mine")
    theirs = scheduling.agenda_add(session=session, author=supervisor, text="Theirs")
    them = signed_in(practitioner)
    assert them.post(reverse("agenda_delete", args=[session.pk, theirs.pk])).status_code == 404
    client = signed_in(supervisor)
    response = client.post(reverse("agenda_delete", args=[session.pk, mine.pk]), {"from": "prepare"})
    assert response["Location"] == reverse("session_prepare", args=[session.pk]) + "#agenda-title"
    assert agenda_of(session) == ["Theirs"]
    event = AuditEvent.objects.filter(detail__has_key="agenda_item_removed").get()
    assert (event.actor, event.detail) == (supervisor, {"agenda_item_removed": mine.pk})


def test_the_agenda_of_a_held_session_stays_as_it_was(agreement, supervisor, practitioner):
    session = schedule(agreement)
    first = scheduling.agenda_add(session=session, author=practitioner, text="One")
    scheduling.agenda_add(session=session, author=practitioner, text="Two")
    held(session)
    client = signed_in(supervisor)
    client.post(reverse("agenda_move", args=[session.pk, first.pk]), {"direction": "down"})
    client.post(reverse("agenda_delete", args=[session.pk, first.pk]))
    response = client.post(reverse("agenda_add", args=[session.pk]), {"text": "Late"})
    assert response.status_code == 409
    assert "Late" in response.content.decode()
    assert agenda_of(session) == ["One", "Two"]
    content = page(client, "session_detail", session.pk)
    assert "Move down" not in content and "Remove" not in content


def test_people_outside_the_session_cannot_touch_its_agenda(agreement, practitioner, other_practitioner, admin_user):
    session = schedule(agreement)
    item = scheduling.agenda_add(session=session, author=practitioner, text="Mine")
    for person in [other_practitioner, admin_user]:
        client = signed_in(person)
        assert client.post(reverse("agenda_add", args=[session.pk]), {"text": "x"}).status_code == 404
        assert client.post(reverse("agenda_move", args=[session.pk, item.pk]), {"direction": "up"}).status_code == 404
        assert client.post(reverse("agenda_delete", args=[session.pk, item.pk])).status_code == 404
    assert agenda_of(session) == ["Mine"]


# 2. The week view, for everyone with sessions -----------------------------------------------


def test_a_practitioner_sees_their_week(agreement, practitioner, admin_user, django_assert_num_queries):
    schedule(agreement, days=1)
    client = signed_in(practitioner)
    # session, user, the week's sessions.
    with django_assert_num_queries(3):
        response = client.get(reverse("session_week"))
    assert response.status_code == 200
    assert [len(day["sessions"]) for day in response.context["days"]] == [0, 0, 0, 1, 0, 0, 0]
    content = response.content.decode()
    assert "with your supervisor, Sasha Supervisor" in content
    assert "your supervision" in content
    assert "Schedule a session" not in content
    # Linked from their home page and the list of sessions.
    assert reverse("session_week") in page(client, "home")
    assert reverse("session_week") in page(client, "session_list")
    # An administrator alone leads and attends nothing: no week.
    assert signed_in(admin_user).get(reverse("session_week")).status_code == 404


def test_a_supervisor_who_receives_supervision_sees_both_kinds_marked(organization, agreement, supervisor):
    mentor = make_person(organization, "mentor@riverbend.example", "Mina Mentor", User.Role.SUPERVISOR)
    theirs = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=mentor,
        supervisee=supervisor,
        starts_on=datetime.date(2026, 1, 1),
        confidentiality_limits="Mandated reporting applies.",
        **acknowledged(),
    )
    schedule(agreement, days=1)
    schedule(theirs, days=2)
    content = page(signed_in(supervisor), "session_week")
    assert "with Pat Practitioner" in content and "you lead" in content
    assert "with your supervisor, Mina Mentor" in content and "your supervision" in content


def test_group_sessions_in_the_week_say_who_leads_them(organization, supervisor, practitioner):
    group = RSCGroup.objects.create(organization=organization, name="Tuesday circle", facilitator=supervisor)
    group.members.add(practitioner)
    schedule(group=group, days=1)
    assert "Tuesday circle, led by Sasha Supervisor" in page(signed_in(practitioner), "session_week")
    assert "Tuesday circle" in page(signed_in(supervisor), "session_week")


# 3. Replies under the notes, and signed notes pointed out -----------------------------------


def test_the_participant_and_the_supervisor_reply_under_the_notes(agreement, supervisor, practitioner):
    session = held(schedule(agreement), notes="We wondered about K.", sign=True)
    them = signed_in(practitioner)
    response = them.post(reverse("session_reply_create", args=[session.pk]), {"text": "That helped, thank you."})
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[session.pk]) + "#replies"
    reply = SessionReply.objects.get()
    assert (reply.author, reply.session, reply.text) == (practitioner, session, "That helped, thank you.")
    event = AuditEvent.objects.get(action=Action.RESPOND)
    assert (event.actor, event.record_type, event.record_id, event.detail) == (
        practitioner,
        "session",
        session.pk,
        {"reply": reply.pk},
    )
    client = signed_in(supervisor)
    assert client.post(reverse("session_reply_create", args=[session.pk]), {"text": "Glad."}).status_code == 302
    content = page(client, "session_detail", session.pk)
    assert "That helped, thank you." in content and "Glad." in content
    assert content.index("That helped") < content.index("Glad.")
    # The practitioner reads "You" for their own words.
    assert '<span class="fw-semibold text-body">You</span>' in page(them, "session_detail", session.pk)


def test_replies_wait_until_the_session_was_held(agreement, practitioner):
    session = schedule(agreement)
    client = signed_in(practitioner)
    assert 'action="' + reverse("session_reply_create", args=[session.pk]) not in page(
        client, "session_detail", session.pk
    )
    response = client.post(reverse("session_reply_create", args=[session.pk]), {"text": "Too early"})
    assert response.status_code == 409
    assert "Too early" in response.content.decode()  # the words stay on the page
    assert not SessionReply.objects.exists()


def test_a_reply_gets_the_gentle_check_and_an_empty_one_is_refused(agreement, practitioner):
    session = held(schedule(agreement))
    client = signed_in(practitioner)
    url = reverse("session_reply_create", args=[session.pk])
    assert client.post(url, {"text": "  "}).status_code == 400
    response = client.post(url, {"text": "Maria Lopez asked again"})
    assert response.status_code == 400
    assert "Could this identify someone?" in response.content.decode()
    assert not SessionReply.objects.exists()


@pytest.mark.parametrize("persona", ["other_practitioner", "other_supervisor", "admin_user", "stranger"])
def test_nobody_else_reads_or_writes_replies(request, persona, agreement, practitioner):
    session = held(schedule(agreement), notes="Notes", sign=True)
    scheduling.session_reply_add(session=session, author=practitioner, text="Private reply")
    client = signed_in(request.getfixturevalue(persona))
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 404
    assert client.post(reverse("session_reply_create", args=[session.pk]), {"text": "Mine"}).status_code == 404
    assert SessionReply.objects.count() == 1
    if persona == "admin_user":
        assert (
            "Private reply"
            not in signed_in(request.getfixturevalue(persona)).get(reverse("session_overview")).content.decode()
        )


def test_the_practitioners_home_points_out_newly_signed_notes_until_they_open_them(agreement, supervisor, practitioner):
    earlier = held(schedule(agreement, days=-7), notes="Earlier notes", sign=True)
    session = held(schedule(agreement), notes="Fresh notes")
    client = signed_in(practitioner)
    # Not signed yet: nothing to point out, other than the earlier one.
    assert [s.pk for s in client.get(reverse("home")).context["notes_signed"]] == [earlier.pk]
    client.get(reverse("session_detail", args=[earlier.pk]))
    assert client.get(reverse("home")).context["notes_signed"] == []
    scheduling.session_sign(session=session, actor=supervisor)
    home = client.get(reverse("home"))
    assert [s.pk for s in home.context["notes_signed"]] == [session.pk]
    content = home.content.decode()
    assert "Notes signed since you last looked" in content
    assert reverse("session_detail", args=[session.pk]) + "#notes-title" in content
    # The supervisor opening it changes nothing for the practitioner.
    signed_in(supervisor).get(reverse("session_detail", args=[session.pk]))
    assert [s.pk for s in client.get(reverse("home")).context["notes_signed"]] == [session.pk]
    client.get(reverse("session_detail", args=[session.pk]))
    assert SessionParticipant.objects.get(session=session).notes_seen_at == timezone.now()
    assert client.get(reverse("home")).context["notes_signed"] == []
    # Reopened and signed again later: pointed out again.
    scheduling.session_reopen(session=session, actor=supervisor, reason="A follow-up to add")
    with time_machine.travel(NOW + datetime.timedelta(minutes=10), tick=False):
        scheduling.session_sign(session=session, actor=supervisor)
        assert [s.pk for s in client.get(reverse("home")).context["notes_signed"]] == [session.pk]


def test_in_a_group_each_member_has_their_own_signed_notes_notice(
    organization, supervisor, practitioner, other_practitioner
):
    group = RSCGroup.objects.create(organization=organization, name="Tuesday circle", facilitator=supervisor)
    group.members.add(practitioner, other_practitioner)
    session = held(schedule(group=group), notes="Group notes", sign=True)
    pat, quinn = signed_in(practitioner), signed_in(other_practitioner)
    pat.get(reverse("session_detail", args=[session.pk]))
    assert pat.get(reverse("home")).context["notes_signed"] == []
    assert [s.pk for s in quinn.get(reverse("home")).context["notes_signed"]] == [session.pk]


def test_replies_go_with_the_person_who_left(organization, agreement, supervisor, practitioner, other_practitioner):
    organization.purge_after_person_left_years = 1
    organization.save()
    own = held(schedule(agreement, days=-10), notes="Pat's notes", sign=True)
    scheduling.session_reply_add(session=own, author=practitioner, text="Pat replies")
    scheduling.session_reply_add(session=own, author=supervisor, text="Sasha answers Pat")
    group = RSCGroup.objects.create(organization=organization, name="Tuesday circle", facilitator=supervisor)
    group.members.add(practitioner, other_practitioner)
    shared = held(schedule(group=group, days=-3), notes="Group notes", sign=True)
    gone = scheduling.session_reply_add(session=shared, author=practitioner, text="Pat in the group")
    stays = scheduling.session_reply_add(session=shared, author=other_practitioner, text="Quinn in the group")
    User.objects.filter(pk=practitioner.pk).update(is_active=False, deactivated_at=timezone.now())

    report = retention.purge_due(now=timezone.now() + datetime.timedelta(days=366 * 2))

    assert list(SessionReply.objects.values_list("pk", flat=True)) == [stays.pk]
    details = {(p.record_type, p.record_id): p.counts for p in report.purges if p.rule == "person_left"}
    assert details[("session", own.pk)]["replies"] == 2  # the replies of their own session go, everyone's
    assert details[("session", shared.pk)]["replies"] == 1
    assert gone.pk not in SessionReply.objects.values_list("pk", flat=True)
    shared.refresh_from_db()
    assert shared.notes == "Group notes"


def test_replies_never_reach_the_audit_trail_or_an_email(agreement, practitioner, mailoutbox):
    session = held(schedule(agreement), notes="Notes")
    signed_in(practitioner).post(reverse("session_reply_create", args=[session.pk]), {"text": "SECRET-REPLY-91"})
    assert SessionReply.objects.filter(text="SECRET-REPLY-91").exists()
    assert not AuditEvent.objects.filter(detail__icontains="SECRET-REPLY-91").exists()
    assert mailoutbox == []


# 4. Words that fit the moment -----------------------------------------------------------------


def test_a_past_session_says_what_is_true_about_its_agenda_and_notes(agreement, supervisor, practitioner):
    session = held(schedule(agreement), sign=True)
    for client in (signed_in(supervisor), signed_in(practitioner)):
        content = page(client, "session_detail", session.pk)
        assert "Nothing on the agenda yet" not in content and "No notes yet" not in content
        assert "Nothing was put on the agenda for this session." in content
        assert "No notes were written for this session." in content
    scheduled = schedule(agreement, days=5)
    assert "Nothing on the agenda yet." in page(signed_in(practitioner), "session_detail", scheduled.pk)


def test_a_participant_reads_that_the_notes_are_being_written(agreement, supervisor, practitioner):
    session = held(schedule(agreement))
    client = signed_in(practitioner)
    content = page(client, "session_detail", session.pk)
    assert "Notes are being written." in content and "No notes" not in content
    # Words saved but not signed: shown as they stand, said to be unsigned.
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes="Draft words", elements=[], expected_version=0
    )
    content = page(client, "session_detail", session.pk)
    assert "Draft words" in content and "Not signed yet: these notes may still change." in content


def test_signing_empty_notes_asks_once_and_signs_when_asked_to(agreement, supervisor):
    session = held(schedule(agreement))
    client = signed_in(supervisor)
    response = client.post(reverse("session_sign", args=[session.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "The notes are empty. Sign without notes?" in content
    assert 'name="empty_notes" value="sign"' in content and "Write notes first" in content
    session.refresh_from_db()
    assert not session.is_signed
    response = client.post(reverse("session_sign", args=[session.pk]), {"empty_notes": "sign"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_signed
    # Notes with words: no question.
    other = held(schedule(agreement, days=-3), notes="We wondered.")
    assert client.post(reverse("session_sign", args=[other.pk])).status_code == 302
    other.refresh_from_db()
    assert other.is_signed


# 6. From the reader's side -------------------------------------------------------------------


def test_session_lines_speak_from_the_readers_side(agreement, supervisor, practitioner):
    session = held(schedule(agreement, days=-1), notes="Notes", sign=True)
    theirs = page(signed_in(practitioner), "session_list", when="past")
    assert "with your supervisor, Sasha Supervisor" in theirs
    assert "Pat Practitioner" not in theirs.split("<main", 1)[1].split("</main>", 1)[0]
    mine = page(signed_in(supervisor), "session_list", when="past")
    assert "with Pat Practitioner" in mine and "Sasha Supervisor with" not in mine
    heading = page(signed_in(practitioner), "session_detail", session.pk)
    assert "You and your supervisor, Sasha Supervisor" in heading
    assert "You and Pat Practitioner" in page(signed_in(supervisor), "session_detail", session.pk)


def test_a_person_with_two_roles_sees_their_home_cards_explained(organization, agreement, supervisor):
    supervisor.is_practitioner = True
    supervisor.save()
    content = page(signed_in(supervisor), "home")
    assert "Sessions you lead" in content and "Your own supervision" in content
    pat = page(signed_in(agreement.supervisee), "home")
    assert "Your next session" in pat and "Your own supervision" not in pat


# 7. Mark done, with an undo -------------------------------------------------------------------


def test_marking_a_follow_up_done_offers_an_undo_and_both_are_audited(agreement, supervisor, practitioner):
    session = held(schedule(agreement), notes="Notes")
    follow_up = scheduling.follow_up_add(
        session=session, actor=supervisor, text="Notice bedtime", owner=practitioner, due_on=None, kind="reflective"
    )
    client = signed_in(practitioner)
    response = client.post(reverse("follow_up_done", args=[follow_up.pk]), {"done": "1", "next": "/"}, follow=True)
    content = response.content.decode()
    assert "Follow-up marked done." in content
    undo = f'action="{reverse("follow_up_done", args=[follow_up.pk])}"'
    assert undo in content and 'name="done" value="0"' in content and ">Undo<" in content
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    response = client.post(reverse("follow_up_done", args=[follow_up.pk]), {"done": "0", "next": "/"}, follow=True)
    assert "The follow-up is open again." in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
    events = AuditEvent.objects.filter(record_type="session", record_id=session.pk, actor=practitioner)
    assert list(events.order_by("pk").values_list("action", "detail")) == [
        (Action.FOLLOW_UP_DONE, {"follow_up": follow_up.pk}),
        (Action.FOLLOW_UP_UNDONE, {"follow_up": follow_up.pk}),
    ]


def test_the_audit_viewer_names_follow_ups_done_by_their_label(agreement, supervisor, practitioner, admin_client):
    session = held(schedule(agreement), notes="Notes")
    follow_up = scheduling.follow_up_add(
        session=session, actor=supervisor, text="Notice bedtime", owner=practitioner, due_on=None, kind="reflective"
    )
    signed_in(practitioner).post(reverse("follow_up_done", args=[follow_up.pk]), {"done": "1"})
    content = admin_client.get(reverse("audit_list"), {"action": "follow_up_done"}).content.decode()
    assert "Marked a follow-up done" in content and "Edited" not in content.split("<tbody", 1)[1]


# 8. Clickable video links, safely -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "https://video.example/room?id=7&x=1",
            '<a href="https://video.example/room?id=7&amp;x=1" rel="noopener noreferrer" target="_blank" '
            'class="place-link">https://video.example/room?id=7&amp;x=1'
            '<span class="visually-hidden"> (opens in a new tab)</span></a>',
        ),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("JavaScript://video.example/%0aalert(1)", "JavaScript://video.example/%0aalert(1)"),
        ("data:text/html,<script>alert(1)</script>", "data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("http://video.example/room", "http://video.example/room"),
        ('https://video.example/"onmouseover="alert(1)', "https://video.example/&quot;onmouseover=&quot;alert(1)"),
        ("https://video.example/<b>x</b>", "https://video.example/&lt;b&gt;x&lt;/b&gt;"),
        ("https://video.example/room with words", "https://video.example/room with words"),
        ("Room 2, <i>second</i> floor", "Room 2, &lt;i&gt;second&lt;/i&gt; floor"),
        ("https://", "https://"),
        ("", ""),
    ],
)
def test_only_an_https_address_becomes_a_link(value, expected):
    from rsc.templatetags.rsc_links import place_link

    assert str(place_link(value)) == expected
    rendered = Template("{% load rsc_links %}{{ place|place_link }}").render(Context({"place": value}))
    assert rendered == expected


def test_the_session_page_links_its_video_room(agreement, practitioner):
    session = schedule(agreement, location="https://video.example/rsc")
    content = page(signed_in(practitioner), "session_detail", session.pk)
    assert '<a href="https://video.example/rsc" rel="noopener noreferrer" target="_blank"' in content


# 9. The printed record ---------------------------------------------------------------------


def test_a_signed_session_shows_its_signature_and_prints_with_its_own_stylesheet(agreement, supervisor, practitioner):
    session = held(schedule(agreement), notes="Notes", sign=True)
    content = page(signed_in(practitioner), "session_detail", session.pk)
    assert "Signed by Sasha Supervisor on 4 March 2026, 09:00." in content
    assert 'class="card mb-4 signature-block"' in content
    assert 'href="/static/css/print.css" media="print"' in content
    assert "Print this record" in content
    unsigned = held(schedule(agreement, days=-2), notes="Not yet")
    assert "signature-block" not in page(signed_in(practitioner), "session_detail", unsigned.pk)


def test_the_session_detail_has_a_fixed_number_of_queries_for_a_participant(
    agreement, supervisor, practitioner, family, django_assert_num_queries
):
    session = schedule(agreement)
    scheduling.agenda_add(session=session, author=practitioner, family=family, text="One")
    scheduling.agenda_add(session=session, author=supervisor, text="Two")
    held(session, notes="Notes", sign=True)
    for number in range(3):
        scheduling.session_reply_add(session=session, author=practitioner, text=f"Reply {number}")
    client = signed_in(practitioner)
    # session, user, the session, the read in the audit trail, participants, agenda with families,
    # children, elements, follow-ups, history, the notes seen now (the first visit after signing),
    # replies with their authors.
    with django_assert_num_queries(12):
        assert client.get(reverse("session_detail", args=[session.pk])).status_code == 200
    # Seen already: nothing to write.
    with django_assert_num_queries(11):
        assert client.get(reverse("session_detail", args=[session.pk])).status_code == 200


def test_follow_ups_name_their_owner_from_the_readers_side(agreement, supervisor, practitioner):
    session = held(schedule(agreement), notes="Notes")
    scheduling.follow_up_add(
        session=session, actor=supervisor, text="Notice bedtime", owner=practitioner, due_on=None, kind="reflective"
    )
    assert "for you" in page(signed_in(practitioner), "session_detail", session.pk)
    assert "for Pat Practitioner" in page(signed_in(supervisor), "session_detail", session.pk)
