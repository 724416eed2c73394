import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rsc.models import (
    AgendaItem,
    Child,
    Family,
    FollowUp,
    RSCGroup,
    SessionEvent,
    SupervisionSession,
)
from rsc.services import sessions as scheduling

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=CHICAGO)  # a Monday, before the DST change


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def family(organization, practitioner):
    family = Family.objects.create(organization=organization, code="JM-2", context=Family.Context.HOME_VISITING)
    family.practitioners.add(practitioner)
    Child.objects.create(family=family, label="K", birth_month=datetime.date(2025, 1, 1))
    return family


def schedule(agreement, **overrides):
    options = {
        "supervisor": agreement.supervisor,
        "agreement": agreement,
        "starts_at": datetime.datetime(2026, 3, 4, 10, 0, tzinfo=CHICAGO),
        "duration_minutes": 60,
        "modality": SupervisionSession.Modality.VIDEO,
        "location": "https://video.example/room",
    }
    options.update(overrides)
    return scheduling.sessions_schedule(**options)


def held(session, actor):
    session.starts_at = timezone.now() - datetime.timedelta(hours=2)
    session.save()
    return scheduling.session_record_attendance(
        session=session,
        actor=actor,
        status="held",
        attendance={p.user_id: "attended" for p in session.participants.all()},
    )


# Scheduling and series


def test_fortnightly_series_keeps_the_local_time_across_daylight_saving(agreement, supervisor):
    sessions = schedule(agreement, frequency="fortnightly", count=4)
    local = [timezone.localtime(s.starts_at, CHICAGO) for s in sessions]
    assert [d.date() for d in local] == [
        datetime.date(2026, 3, 4),
        datetime.date(2026, 3, 18),
        datetime.date(2026, 4, 1),
        datetime.date(2026, 4, 15),
    ]
    assert {(d.hour, d.minute) for d in local} == {(10, 0)}
    # Stored in UTC: the UTC hour moves with daylight saving time.
    assert sessions[0].starts_at.astimezone(datetime.UTC).hour == 16
    assert sessions[1].starts_at.astimezone(datetime.UTC).hour == 15
    assert len({s.series_id for s in sessions}) == 1
    assert all(s.participants.get().user == agreement.supervisee for s in sessions)


def test_monthly_series_until_a_date_clamps_to_short_months(agreement):
    sessions = schedule(
        agreement,
        starts_at=datetime.datetime(2026, 1, 31, 10, 0, tzinfo=CHICAGO),
        frequency="monthly",
        until=datetime.date(2026, 5, 1),
    )
    assert [timezone.localtime(s.starts_at, CHICAGO).date() for s in sessions] == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 30),
    ]


def test_group_sessions_include_the_active_members(organization, supervisor, practitioner, other_practitioner):
    group = RSCGroup.objects.create(organization=organization, name="Tuesday circle", facilitator=supervisor)
    group.members.add(practitioner, other_practitioner)
    other_practitioner.is_active = False
    other_practitioner.save()
    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        group=group,
        starts_at=NOW + datetime.timedelta(days=1),
        duration_minutes=120,
        modality="in_person",
    )
    assert [p.user for p in session.participants.all()] == [practitioner]


def test_editing_one_occurrence_leaves_the_others(agreement, supervisor):
    sessions = schedule(agreement, frequency="weekly", count=3)
    second = sessions[1]
    original_start = second.starts_at
    scheduling.session_update(
        session=second,
        actor=supervisor,
        starts_at=original_start + datetime.timedelta(hours=2),
        duration_minutes=90,
        modality="phone",
        location="",
        scope="this",
    )
    refreshed = {s.pk: s for s in SupervisionSession.objects.all()}
    assert refreshed[sessions[0].pk].starts_at == sessions[0].starts_at
    assert refreshed[sessions[2].pk].starts_at == sessions[2].starts_at
    assert refreshed[second.pk].starts_at == original_start + datetime.timedelta(hours=2)
    assert refreshed[second.pk].series_id is None
    assert refreshed[second.pk].duration_minutes == 90
    assert refreshed[sessions[2].pk].duration_minutes == 60
    assert SessionEvent.objects.filter(kind="rescheduled").count() == 1


def test_editing_this_and_following_changes_only_those(agreement, supervisor):
    sessions = schedule(agreement, frequency="weekly", count=4)
    originals = [s.starts_at for s in sessions]
    scheduling.session_cancel(session=sessions[3], actor=supervisor, reason="Holiday")
    scheduling.session_update(
        session=sessions[1],
        actor=supervisor,
        starts_at=originals[1] + datetime.timedelta(days=1),
        duration_minutes=60,
        modality="video",
        location="room 2",
        scope="following",
    )
    after = list(SupervisionSession.objects.order_by("pk"))
    assert after[0].starts_at == originals[0] and after[0].location != "room 2"
    assert after[1].starts_at == originals[1] + datetime.timedelta(days=1)
    assert after[2].starts_at == originals[2] + datetime.timedelta(days=1)
    assert after[2].location == "room 2"
    # A cancelled occurrence is left as it was.
    assert after[3].starts_at == originals[3] and after[3].status == "cancelled"


def test_cancelling_records_who_and_why_and_does_not_count_as_held(agreement, practitioner):
    sessions = schedule(agreement, frequency="weekly", count=2)
    scheduling.session_cancel(session=sessions[0], actor=practitioner, reason="Sick child at home")
    cancelled = SupervisionSession.objects.get(pk=sessions[0].pk)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_by == practitioner
    assert cancelled.cancel_reason == "Sick child at home"
    assert SupervisionSession.objects.held().count() == 0
    with pytest.raises(scheduling.SessionError):
        scheduling.session_record_attendance(session=cancelled, actor=practitioner, status="held", attendance={})


def test_a_future_session_cannot_be_marked_held(agreement, supervisor):
    (session,) = schedule(agreement)
    with pytest.raises(scheduling.SessionError):
        scheduling.session_record_attendance(session=session, actor=supervisor, status="held", attendance={})


def test_signed_session_is_locked_until_reopened_with_a_reason(agreement, supervisor, practitioner):
    (session,) = schedule(agreement)
    held(session, supervisor)
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes="We wondered.", elements=[], expected_version=0
    )
    session.refresh_from_db()
    scheduling.session_sign(session=session, actor=supervisor)

    with pytest.raises(scheduling.SessionError):
        scheduling.session_save_notes(
            session=session, actor=supervisor, notes="Changed", elements=[], expected_version=1
        )
    with pytest.raises(scheduling.SessionError):
        scheduling.follow_up_add(
            session=session, actor=supervisor, text="x", owner=practitioner, due_on=None, kind="safety"
        )
    with pytest.raises(scheduling.SessionError):
        scheduling.session_record_attendance(session=session, actor=supervisor, status="missed", attendance={})
    with pytest.raises(scheduling.SessionError):
        scheduling.session_reopen(session=session, actor=supervisor, reason="  ")

    scheduling.session_reopen(session=session, actor=supervisor, reason="Add the safety follow-up")
    scheduling.session_save_notes(session=session, actor=supervisor, notes="Changed", elements=[], expected_version=1)
    session.refresh_from_db()
    assert session.notes == "Changed"
    assert session.events.filter(kind="reopened", reason="Add the safety follow-up").exists()
    assert list(session.note_versions.values_list("notes", flat=True)) == ["Changed", "We wondered."]


def test_notes_never_silently_overwrite_a_newer_version(agreement, supervisor):
    (session,) = schedule(agreement)
    held(session, supervisor)
    scheduling.session_save_notes(session=session, actor=supervisor, notes="First tab", elements=[], expected_version=0)
    with pytest.raises(scheduling.NotesConflict) as conflict:
        scheduling.session_save_notes(
            session=session, actor=supervisor, notes="Second tab", elements=[], expected_version=0
        )
    assert conflict.value.current.notes == "First tab"
    session.refresh_from_db()
    assert session.notes == "First tab"


def test_element_tags_are_saved_and_replaced(agreement, supervisor):
    (session,) = schedule(agreement)
    held(session, supervisor)
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes="", elements=["baby_in_mind", "use_of_self"], expected_version=0
    )
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes="", elements=["baby_in_mind", "parallel_process"], expected_version=0
    )
    assert set(session.elements.values_list("element", flat=True)) == {"baby_in_mind", "parallel_process"}


# Views: access


SUPERVISOR_URLS = [
    "session_edit",
    "session_attendance",
    "session_prepare",
    "session_document",
    "session_sign",
    "session_reopen",
    "follow_up_create",
]


@pytest.mark.parametrize(
    "persona", ["other_practitioner", "other_supervisor", "admin_user", "stranger", "stranger_admin"]
)
def test_people_outside_the_session_find_nothing(client, request, persona, agreement):
    (session,) = schedule(agreement)
    client.force_login(request.getfixturevalue(persona))
    for name in ["session_detail", "session_versions", "session_cancel", *SUPERVISOR_URLS]:
        url = reverse(name, args=[session.pk])
        assert client.get(url).status_code in {404, 405}, name
        assert client.post(url, {"reason": "x", "notes": "x", "text": "x"}).status_code in {404, 405}, name
    assert client.post(reverse("agenda_add", args=[session.pk]), {"text": "Mine"}).status_code == 404
    session.refresh_from_db()
    assert session.status == "scheduled" and not AgendaItem.objects.exists()


def test_the_participant_reads_but_cannot_use_the_supervisors_pages(client, agreement, practitioner):
    (session,) = schedule(agreement)
    client.force_login(practitioner)
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 200
    for name in SUPERVISOR_URLS:
        assert client.get(reverse(name, args=[session.pk])).status_code in {404, 405}, name


def test_only_supervisors_schedule_and_only_with_their_own_agreements(
    client, agreement, practitioner, other_supervisor
):
    client.force_login(practitioner)
    assert client.get(reverse("session_create")).status_code == 404
    client.force_login(other_supervisor)
    response = client.post(
        reverse("session_create"),
        {"agreement": agreement.pk, "date": "2026-03-10", "time": "10:00", "duration_minutes": 60, "modality": "video"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not SupervisionSession.objects.exists()


def test_an_ended_agreement_cannot_be_scheduled(client, agreement, supervisor):
    agreement.ends_on = datetime.date(2026, 3, 1)
    agreement.save()
    client.force_login(supervisor)
    response = client.post(
        reverse("session_create"),
        {"agreement": agreement.pk, "date": "2026-03-10", "time": "10:00", "duration_minutes": 60, "modality": "video"},
    )
    assert response.status_code == 200
    assert not SupervisionSession.objects.exists()


def test_supervisor_schedules_a_fortnightly_series_through_the_form(client, agreement, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("session_create"),
        {
            "agreement": agreement.pk,
            "date": "2026-03-04",
            "time": "14:30",
            "duration_minutes": 60,
            "modality": "in_person",
            "location": "Room 3",
            "repeat": "fortnightly",
            "count": 6,
        },
    )
    sessions = list(SupervisionSession.objects.order_by("starts_at"))
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[sessions[0].pk])
    assert len(sessions) == 6
    assert timezone.localtime(sessions[0].starts_at, CHICAGO).time() == datetime.time(14, 30)


def test_practitioner_adds_an_agenda_item_about_their_own_family_only(
    client, agreement, practitioner, other_practitioner, family, organization
):
    (session,) = schedule(agreement)
    others = Family.objects.create(organization=organization, code="ZZ", context="other")
    others.practitioners.add(other_practitioner)
    client.force_login(practitioner)
    url = reverse("agenda_add", args=[session.pk])

    assert client.post(url, {"family": others.pk, "text": "Theirs"}).status_code == 400
    assert client.post(url, {"family": "", "text": ""}).status_code == 400
    response = client.post(url, {"family": family.pk, "text": "Mum seems far away during feeds"})

    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert (item.family, item.author, item.text) == (family, practitioner, "Mum seems far away during feeds")


def test_supervisor_prepares_with_the_agenda_ages_and_last_follow_ups(
    client, agreement, supervisor, practitioner, family, django_assert_max_num_queries
):
    first, second = schedule(agreement, frequency="weekly", count=2)
    held(first, supervisor)
    scheduling.follow_up_add(
        session=first, actor=supervisor, text="Notice bedtime", owner=practitioner, due_on=None, kind="reflective"
    )
    scheduling.agenda_add(session=second, author=practitioner, family=family, text="Bedtime again")
    client.force_login(supervisor)
    response = client.get(reverse("session_prepare", args=[second.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "JM-2" in content and "K · 14 months" in content
    assert "Notice bedtime" in content
    assert "Bedtime again" in content


def test_documenting_with_tags_and_a_safety_follow_up_then_signing(client, agreement, supervisor, practitioner):
    (session,) = schedule(agreement)
    session.starts_at = timezone.now() - datetime.timedelta(hours=1)
    session.save()
    client.force_login(supervisor)

    response = client.post(
        reverse("session_attendance", args=[session.pk]), {"status": "held", f"attended_{practitioner.pk}": "on"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("session_document", args=[session.pk]),
        {
            "notes": "We stayed with the baby's view.\n\nLine two <b>bold?</b>",
            "elements": ["baby_in_mind"],
            "version": 0,
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("follow_up_create", args=[session.pk]),
        {"text": "Talk to the program manager today", "owner": supervisor.pk, "kind": "safety"},
    )
    assert response.status_code == 302
    assert client.post(reverse("session_sign", args=[session.pk])).status_code == 302

    session.refresh_from_db()
    assert session.is_signed
    assert session.participants.get().attendance == "attended"
    assert FollowUp.objects.get().kind == "safety"
    # The practitioner reads the notes, escaped.
    client.force_login(practitioner)
    content = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "We stayed with the baby" in content
    assert "&lt;b&gt;bold?&lt;/b&gt;" in content
    assert "Safety: use the agency" in content
    assert "Holding the Baby in Mind" in content


def test_follow_up_owner_must_be_in_the_session(client, agreement, supervisor, other_practitioner):
    (session,) = schedule(agreement)
    held(session, supervisor)
    client.force_login(supervisor)
    client.post(
        reverse("follow_up_create", args=[session.pk]),
        {"text": "Someone else", "owner": other_practitioner.pk, "kind": "reflective"},
    )
    assert not FollowUp.objects.exists()


def test_a_conflicting_save_shows_both_texts(client, agreement, supervisor):
    (session,) = schedule(agreement)
    held(session, supervisor)
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes="Saved elsewhere", elements=[], expected_version=0
    )
    client.force_login(supervisor)
    response = client.post(reverse("session_document", args=[session.pk]), {"notes": "Typed here", "version": 0})
    content = response.content.decode()
    assert response.status_code == 409
    assert "Saved elsewhere" in content and "Typed here" in content
    session.refresh_from_db()
    assert session.notes == "Saved elsewhere"


AUTOSAVE = {"X-Autosave": "1"}


def test_notes_autosave_answers_json_and_keeps_one_version_per_page(client, agreement, supervisor):
    (session,) = schedule(agreement)
    held(session, supervisor)
    client.force_login(supervisor)
    url = reverse("session_document", args=[session.pk])
    first = client.post(url, {"notes": "We wondered", "version": 0, "sitting": "page-one"}, headers=AUTOSAVE)
    assert first.status_code == 200
    assert first.json() == {"saved": True, "revision": 1, "message": "Saved at 09:00", "redacted": 0, "warnings": ""}
    second = client.post(url, {"notes": "We wondered about K.", "version": 1, "sitting": "page-one"}, headers=AUTOSAVE)
    assert second.json()["revision"] == 2
    session.refresh_from_db()
    assert session.notes == "We wondered about K."
    # Autosaves of one page refine one version; a new page starts the next one.
    assert list(session.note_versions.values_list("number", "notes")) == [(1, "We wondered about K.")]
    client.post(url, {"notes": "Next day", "version": 2, "sitting": "page-two"}, headers=AUTOSAVE)
    assert list(session.note_versions.values_list("number", "notes")) == [
        (2, "Next day"),
        (1, "We wondered about K."),
    ]


def test_notes_autosave_refuses_a_stale_version_with_the_newer_text(client, agreement, supervisor):
    (session,) = schedule(agreement)
    held(session, supervisor)
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes="Saved in another tab", elements=[], expected_version=0
    )
    client.force_login(supervisor)
    url = reverse("session_document", args=[session.pk])
    response = client.post(url, {"notes": "Typed here", "version": 0, "sitting": "x"}, headers=AUTOSAVE)
    assert response.status_code == 409
    answer = response.json()
    assert answer["conflict"] is True and answer["revision"] == 1
    assert "Saved in another tab" in answer["html"]
    session.refresh_from_db()
    assert session.notes == "Saved in another tab"


def test_notes_autosave_of_a_signed_session_saves_nothing(client, agreement, supervisor):
    (session,) = schedule(agreement)
    held(session, supervisor)
    scheduling.session_sign(session=session, actor=supervisor)
    client.force_login(supervisor)
    url = reverse("session_document", args=[session.pk])
    response = client.post(url, {"notes": "Late words", "version": 0}, headers=AUTOSAVE)
    # Signed meanwhile (in another tab, say): the answer says so, and the page keeps the words.
    assert response.status_code == 409
    assert response.json()["locked"] is True
    session.refresh_from_db()
    assert (session.notes, session.notes_version) == ("", 0)


def test_notes_autosave_reports_invalid_input_and_saves_nothing(client, agreement, supervisor):
    (session,) = schedule(agreement)
    held(session, supervisor)
    client.force_login(supervisor)
    url = reverse("session_document", args=[session.pk])
    response = client.post(url, {"notes": "Words", "version": "not a number"}, headers=AUTOSAVE)
    assert response.status_code == 400
    assert response.json()["saved"] is False
    session.refresh_from_db()
    assert session.notes == ""


def test_session_pages_have_a_fixed_number_of_queries(
    client, agreement, supervisor, practitioner, family, django_assert_num_queries
):
    sessions = schedule(agreement, frequency="weekly", count=30)
    scheduling.agenda_add(session=sessions[0], author=practitioner, family=family, text="One")
    scheduling.agenda_add(session=sessions[0], author=practitioner, text="Two")
    client.force_login(supervisor)
    # session, user, the page count, the page of sessions.
    with django_assert_num_queries(4):
        assert client.get(reverse("session_list")).status_code == 200
    # session, user, the session, the read in the audit trail, participants, agenda with families,
    # children, elements, follow-ups, history, the families the supervisor may name on the agenda.
    with django_assert_num_queries(11):
        assert client.get(reverse("session_detail", args=[sessions[0].pk])).status_code == 200
    # session, user, the week's sessions.
    with django_assert_num_queries(3):
        assert client.get(reverse("session_week")).status_code == 200


def test_week_view_places_sessions_on_local_days(client, agreement, supervisor):
    schedule(agreement, starts_at=datetime.datetime(2026, 3, 4, 22, 30, tzinfo=CHICAGO))
    client.force_login(supervisor)
    response = client.get(reverse("session_week"), {"week": "2026-03-04"})
    days = response.context["days"]
    assert [len(day["sessions"]) for day in days] == [0, 0, 1, 0, 0, 0, 0]
    assert client.get(reverse("session_week"), {"week": "not-a-date"}).status_code == 200


def test_the_django_admin_never_shows_session_notes(client, agreement, supervisor):
    (session,) = schedule(agreement)
    held(session, supervisor)
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes="A private reflective sentence", elements=[], expected_version=0
    )
    operator = User.objects.create_superuser(email="ops@rsc.example", password="op-password-123", full_name="Ops")
    client.force_login(operator)
    response = client.get(reverse("admin:rsc_supervisionsession_change", args=[session.pk]))
    assert response.status_code == 200
    assert "A private reflective sentence" not in response.content.decode()


def test_prepare_and_notes_pages_have_a_fixed_number_of_queries(
    client, agreement, supervisor, practitioner, family, organization, django_assert_num_queries
):
    first, second = schedule(agreement, frequency="weekly", count=2)
    held(first, supervisor)
    for number in range(5):
        other = Family.objects.create(organization=organization, code=f"F{number}", context="other")
        other.practitioners.add(practitioner)
        Child.objects.create(family=other, label="B", birth_month=datetime.date(2025, 6, 1))
        scheduling.agenda_add(session=second, author=practitioner, family=other, text=f"Item {number}")
        scheduling.follow_up_add(
            session=first, actor=supervisor, text=f"Follow {number}", owner=practitioner, due_on=None, kind="reflective"
        )
    client.force_login(supervisor)
    # session, user, the session, participants, agenda with families, children, elements,
    # follow-ups, history, the previous session, its follow-ups, which of the families the supervisor
    # may see, the read in the audit trail, reflections shared for it, the families the supervisor
    # may name on the agenda.
    with django_assert_num_queries(15):
        assert client.get(reverse("session_prepare", args=[second.pk])).status_code == 200
    # session, user, the session, the read in the audit trail, participants, agenda (no children:
    # no family on it), elements, follow-ups, history, replies.
    with django_assert_num_queries(10):
        assert client.get(reverse("session_document", args=[first.pk])).status_code == 200


def test_home_pages_of_supervisor_and_practitioner_have_a_fixed_number_of_queries(
    client, agreement, supervisor, practitioner, family, django_assert_num_queries
):
    sessions = schedule(agreement, starts_at=NOW + datetime.timedelta(hours=3), frequency="weekly", count=10)
    for session in sessions[:3]:
        scheduling.agenda_add(session=session, author=practitioner, family=family, text="Bring this")
    client.force_login(supervisor)
    # session, user, authenticator, devices, agreements waiting for acknowledgement, administrators,
    # today, this week, to document, to mark, own reflections with new responses, reflections
    # shared and not read yet.
    with django_assert_num_queries(12):
        response = client.get(reverse("home"))
    assert [s.pk for s in response.context["today_sessions"]] == [sessions[0].pk]
    from django.test import Client

    client = Client()
    client.force_login(practitioner)
    # session, user, authenticator, devices, agreements waiting for acknowledgement, administrators,
    # next session, its agenda, the children of the families on it, notes signed since last seen,
    # follow-ups, past, and the two reflection lists.
    with django_assert_num_queries(14):
        response = client.get(reverse("home"))
    assert response.context["next_session"] == sessions[0]
    assert "Bring this" in response.content.decode()
    assert "K · 14 months" in response.content.decode()


def test_the_prepare_page_refreshes_just_the_agenda_for_htmx(client, agreement, supervisor, practitioner):
    (session,) = schedule(agreement)
    client.force_login(supervisor)
    page = client.get(reverse("session_prepare", args=[session.pk])).content.decode()
    assert 'hx-trigger="every 60s"' in page
    scheduling.agenda_add(session=session, author=practitioner, text="Added while the supervisor reads")
    response = client.get(reverse("session_prepare", args=[session.pk]), headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section class="card mb-4" id="agenda-card"')
    assert "Added while the supervisor reads" in fragment
    assert "<html" not in fragment


def test_a_deleted_family_disappears_from_the_agenda(client, agreement, supervisor, practitioner, family):
    (session,) = schedule(agreement)
    scheduling.agenda_add(session=session, author=practitioner, family=family, text="About feeding")
    family.deleted_at = timezone.now()
    family.save()
    client.force_login(supervisor)
    for name in ["session_detail", "session_prepare"]:
        content = client.get(reverse(name, args=[session.pk])).content.decode()
        assert "JM-2" not in content
        assert "About feeding" in content


def test_administrators_see_dates_and_attendance_but_never_notes(
    client, agreement, supervisor, admin_user, stranger, django_assert_num_queries
):
    sessions = schedule(agreement, frequency="weekly", count=30)
    held(sessions[0], supervisor)
    scheduling.session_save_notes(
        session=sessions[0], actor=supervisor, notes="A private reflective sentence", elements=[], expected_version=0
    )
    client.force_login(admin_user)
    # session, user, count, page of sessions, their participants.
    with django_assert_num_queries(5):
        response = client.get(reverse("session_overview"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "A private reflective sentence" not in content
    assert len(response.context["page"].object_list) == 25
    filtered = client.get(reverse("session_overview"), {"status": "held", "q": "pat"})
    assert [s.pk for s in filtered.context["page"].object_list] == [sessions[0].pk]
    assert "Pat Practitioner (attended)" in filtered.content.decode()
    assert "A private reflective sentence" not in filtered.content.decode()
    # The overview is for administrators of this organization only.
    for person in [supervisor, agreement.supervisee, stranger]:
        client.force_login(person)
        assert client.get(reverse("session_overview")).status_code == 404


def test_each_person_sees_session_times_in_their_own_time_zone(client, agreement, supervisor, practitioner):
    schedule(agreement, starts_at=datetime.datetime(2026, 3, 4, 16, 0, tzinfo=datetime.UTC))
    practitioner.time_zone = "Pacific/Auckland"
    practitioner.save()
    client.force_login(supervisor)
    assert "Wed 4 Mar, 10:00" in client.get(reverse("session_list")).content.decode()
    client.force_login(practitioner)
    assert "Thu 5 Mar, 05:00" in client.get(reverse("session_list")).content.decode()
