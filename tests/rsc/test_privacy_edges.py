"""Privacy at the edges: what a supervisor may look back on, passages taken out of earlier
versions, the identifying-text check on every free text, and the races around notes and agendas."""

import datetime
import html
import json
import re
import threading
import zoneinfo

import pytest
import time_machine
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from rsc.models import (
    AgendaItem,
    AuditEvent,
    Caregiver,
    Child,
    Family,
    FollowUp,
    ReflectionResponse,
    RSCGroup,
    SessionEvent,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.models.reflections import SECTION_FIELDS, Reflection
from rsc.services import reflections as services
from rsc.services import sessions as scheduling
from rsc.services.versions import REMOVED

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CHICAGO)
AUTOSAVE = {"X-Autosave": "1"}
NAME, STREET, PHONE = "Maria Gonzalez", "1420 Maple Street", "612-555-0147"
IDENTIFYING = f"{NAME} moved to {STREET} last week; call her at {PHONE} before visits."


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def later(clock, minutes: int = 90) -> None:
    clock.shift(datetime.timedelta(minutes=minutes))


def text(response) -> str:
    return html.unescape(response.content.decode())


def write(author, sitting: str = "one", **fields) -> Reflection:
    return services.reflection_create(author=author, data=fields, sitting=sitting)


def save(reflection: Reflection, sitting: str, **data) -> int:
    """Save as the author would; returns in how many versions a removed passage was replaced."""
    current = Reflection.objects.get(pk=reflection.pk)
    _saved, _changed, redacted = services.reflection_save(
        reflection=current, actor=current.author, data=data, expected_revision=current.revision, sitting=sitting
    )
    return redacted


def editor_data(reflection: Reflection | None = None, **overrides) -> dict:
    data = {"title": "", "family": "", "session": "", "checkin_words": "", "revision": "0", "sitting": "page-one"}
    data.update(dict.fromkeys(SECTION_FIELDS, ""))
    if reflection is not None:
        reflection = Reflection.objects.get(pk=reflection.pk)
        data.update(reflection.texts(), title=reflection.title, revision=str(reflection.revision))
    data.update(overrides)
    return data


def versions_seen(client: Client, reflection: Reflection, reader) -> list[int]:
    # Signed in afresh each time: the clock moves on by more than the idle timeout between looks.
    client.force_login(reader)
    response = client.get(reverse("reflection_versions", args=[reflection.pk]))
    assert response.status_code == 200
    return [version.number for version in response.context["page"].object_list]


# --- What a supervisor may look back on -------------------------------------------------------


def test_a_supervisor_sees_the_versions_from_each_share_on_and_none_from_before_or_while_unshared(
    client, clock, practitioner, supervisor, agreement
):
    reflection = write(practitioner, what_happened="First private thoughts.")
    later(clock)
    save(reflection, "two", what_happened="Ready to share.")
    services.reflection_share(reflection=reflection, supervisors=[supervisor])
    client.force_login(supervisor)
    assert versions_seen(client, reflection, supervisor) == [2]
    assert "First private thoughts." not in text(client.get(reverse("reflection_versions", args=[reflection.pk])))

    # Still the same page of writing, but after the share: a version of its own, which they may read.
    save(reflection, "two", what_happened="Ready to share, and a line more.")
    assert versions_seen(client, reflection, supervisor) == [3, 2]

    services.reflection_unshare(reflection=reflection, supervisor_id=supervisor.pk)
    save(reflection, "two", what_happened="Written while unshared.")
    later(clock)
    save(reflection, "three", what_happened="Written while unshared, then shared again.")
    services.reflection_share(reflection=reflection, supervisors=[supervisor])
    later(clock)
    save(reflection, "four", what_happened="After sharing again.")
    assert versions_seen(client, reflection, supervisor) == [6, 5, 3, 2]
    content = text(client.get(reverse("reflection_versions", args=[reflection.pk])))
    assert "Written while unshared." not in content
    assert "First private thoughts." not in content

    assert versions_seen(client, reflection, practitioner) == [6, 5, 4, 3, 2, 1]


def test_text_written_with_a_name_street_and_phone_before_sharing_never_reaches_the_supervisor(
    client, practitioner, supervisor, agreement
):
    client.force_login(practitioner)
    answer = client.post(reverse("reflection_create"), editor_data(what_happened=IDENTIFYING), headers=AUTOSAVE).json()
    assert answer["saved"] is True and PHONE in answer["warnings"]
    reflection = Reflection.objects.get()
    # Reloading the editor starts a new page of writing; the text is replaced by a de-identified one.
    client.get(reverse("reflection_edit", args=[reflection.pk]))
    data = editor_data(reflection, sitting="page-two", what_happened="Mom worries about the move.")
    answer = client.post(reverse("reflection_edit", args=[reflection.pk]), data, headers=AUTOSAVE).json()
    assert answer["saved"] is True and answer["redacted"] == 1
    assert "also taken out of 1 earlier version" in answer["message"]
    response = client.post(reverse("reflection_share", args=[reflection.pk]), {"supervisors": [supervisor.pk]})
    assert response.status_code == 302

    for person in (supervisor, practitioner):
        client.force_login(person)
        content = text(client.get(reverse("reflection_versions", args=[reflection.pk])))
        for passage in (NAME, STREET, PHONE, "Maria", "Maple", "555-0147"):
            assert passage not in content
    # The author's history keeps the shape of what was written, with the passages taken out.
    assert "taken out of the earlier versions too" in content
    first = reflection.versions.get(number=1)
    assert first.sections["what_happened"] == (
        f"{REMOVED} moved to {REMOVED} last week; call her at {REMOVED} before visits."
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.REDACT)
    assert (event.record_type, event.record_id, event.actor_id) == ("reflection", reflection.pk, practitioner.pk)
    assert event.detail == {"versions": 1, "passages": 3}
    assert not any(passage in json.dumps(event.detail) for passage in (NAME, STREET, PHONE))


def test_a_passage_the_author_chose_to_keep_stays_in_earlier_versions(practitioner):
    reflection = write(practitioner, next_steps=f"Dr. Patel said to {PHONE}.")
    services.keep_passages(reflection=reflection, passages=[PHONE])
    assert save(reflection, "two", next_steps="The doctor's advice stands.") == 1
    kept = reflection.versions.get(number=1).sections["next_steps"]
    assert kept == f"{REMOVED} said to {PHONE}."


def test_a_passage_still_written_elsewhere_in_the_reflection_is_not_taken_out(practitioner):
    reflection = write(practitioner, what_happened=f"{NAME} was home.", wondering=f"How is {NAME} now?")
    assert save(reflection, "two", what_happened="Mom was home.") == 0
    assert reflection.versions.get(number=1).sections["what_happened"] == f"{NAME} was home."


# --- Session notes ----------------------------------------------------------------------------


def schedule_and_hold(agreement) -> SupervisionSession:
    (session,) = scheduling.sessions_schedule(
        supervisor=agreement.supervisor,
        agreement=agreement,
        starts_at=NOW - datetime.timedelta(hours=3),
        duration_minutes=60,
        modality=SupervisionSession.Modality.VIDEO,
    )
    attendance = {participant.user_id: "attended" for participant in session.participants.all()}
    return scheduling.session_record_attendance(
        session=session, actor=agreement.supervisor, status="held", attendance=attendance
    )


def notes_data(session: SupervisionSession, notes: str, sitting: str, **extra) -> dict:
    session.refresh_from_db()
    return {"notes": notes, "version": session.notes_version, "sitting": sitting, **extra}


def test_notes_removed_passages_leave_the_earlier_versions_too(client, agreement, supervisor, practitioner):
    session = schedule_and_hold(agreement)
    client.force_login(supervisor)
    url = reverse("session_document", args=[session.pk])
    answer = client.post(url, notes_data(session, f"{NAME} called twice.", "a"), headers=AUTOSAVE).json()
    assert answer["saved"] is True
    assert NAME in answer["warnings"] and 'name="keep_identifying"' in answer["warnings"]
    answer = client.post(url, notes_data(session, "Mom called twice.", "b"), headers=AUTOSAVE).json()
    assert answer["redacted"] == 1 and "earlier version of the notes" in answer["message"]
    assert answer["warnings"].strip() == ""
    assert session.note_versions.get(number=1).notes == f"{REMOVED} called twice."
    client.force_login(practitioner)
    assert NAME not in text(client.get(reverse("session_versions", args=[session.pk])))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REDACT, record_type="session").count() == 1


def test_notes_warn_beside_the_text_and_keeping_a_passage_ends_the_warning(client, agreement, supervisor):
    session = schedule_and_hold(agreement)
    client.force_login(supervisor)
    url = reverse("session_document", args=[session.pk])
    client.post(url, notes_data(session, f"Grandma's number is {PHONE}.", "a"), headers=AUTOSAVE)
    page = text(client.get(url))
    assert "Could this identify someone?" in page and f"<q>{PHONE}</q>" in page
    kept = notes_data(session, f"Grandma's number is {PHONE}.", "a", keep_identifying="on", keep_passage=PHONE)
    answer = client.post(url, kept, headers=AUTOSAVE).json()
    assert answer["warnings"].strip() == ""
    session.refresh_from_db()
    assert session.notes_kept_passages == [PHONE]
    assert "Could this identify someone?" not in text(client.get(url))


def test_signing_waits_until_a_flagged_passage_is_taken_out_or_kept(client, agreement, supervisor):
    session = schedule_and_hold(agreement)
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes=f"Talked about {NAME}.", elements=[], expected_version=0
    )
    client.force_login(supervisor)
    response = client.post(reverse("session_sign", args=[session.pk]))
    assert response.status_code == 200
    assert "Before signing" in text(response) and f"<q>{NAME}</q>" in text(response)
    session.refresh_from_db()
    assert session.signed_at is None
    response = client.post(reverse("session_sign", args=[session.pk]), {"keep_identifying": "on", "keep_passage": NAME})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.signed_at is not None and session.notes_kept_passages == [NAME]


def test_notes_autosave_after_signing_in_another_tab_says_so_and_saves_nothing(client, agreement, supervisor):
    session = schedule_and_hold(agreement)
    scheduling.session_sign(session=session, actor=supervisor)
    client.force_login(supervisor)
    url = reverse("session_document", args=[session.pk])
    response = client.post(url, notes_data(session, "Late words", "a"), headers=AUTOSAVE)
    assert response.status_code == 409
    answer = response.json()
    assert answer["saved"] is False and answer["locked"] is True
    assert "signed" in answer["message"]
    # Without JavaScript, the page comes back with the words in it.
    response = client.post(url, notes_data(session, "Late words, typed by hand", "a"))
    assert response.status_code == 409
    assert "Late words, typed by hand" in text(response)
    assert "These notes were signed while you were writing" in text(response)
    session.refresh_from_db()
    assert session.notes == ""


@pytest.mark.django_db(transaction=True)
def test_three_sign_clicks_at_once_record_one_signature(agreement, supervisor):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises the writes anyway.")
    session = schedule_and_hold(agreement)
    barrier = threading.Barrier(3)
    outcomes = []

    def sign():
        close_old_connections()
        client = Client()
        client.force_login(supervisor)
        barrier.wait()
        # The notes are empty: each click answers "sign without notes" to the gentle question.
        outcomes.append(client.post(reverse("session_sign", args=[session.pk]), {"empty_notes": "sign"}).status_code)
        connection.close()

    threads = [threading.Thread(target=sign) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [302, 302, 302]
    assert SessionEvent.objects.filter(session=session, kind=SessionEvent.Kind.SIGNED).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN, record_id=session.pk).count() == 1


def test_an_agenda_item_sent_just_after_the_session_was_marked_held_is_kept_on_the_page(
    client, agreement, practitioner, supervisor
):
    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        agreement=agreement,
        starts_at=NOW - datetime.timedelta(hours=1),
        duration_minutes=60,
        modality=SupervisionSession.Modality.VIDEO,
    )
    client.force_login(practitioner)
    page = client.get(reverse("session_detail", args=[session.pk]))
    assert page.context["can_add_agenda"]
    scheduling.session_record_attendance(
        session=session, actor=supervisor, status="held", attendance={practitioner.pk: "attended"}
    )
    response = client.post(reverse("agenda_add", args=[session.pk]), {"text": "The move and the baby's sleep"})
    assert response.status_code == 409
    content = text(response)
    assert "The move and the baby's sleep" in content
    assert "until the session is held" in content and "Your words are still here" in content
    assert not AgendaItem.objects.exists()


# --- The identifying-text check on every free text ----------------------------------------------


def test_a_stale_editor_is_answered_before_any_text_is_examined(client, practitioner, monkeypatch):
    reflection = write(practitioner, what_happened="Saved elsewhere.")
    save(reflection, "two", what_happened="Saved elsewhere, again.")

    def refuse(text):
        raise AssertionError("the detectors ran for a stale save")

    monkeypatch.setattr("rsc.views.reflections.find_identifying", refuse)
    monkeypatch.setattr("rsc.services.versions.identifying_texts", refuse)
    client.force_login(practitioner)
    data = editor_data(reflection, revision="1", what_happened=IDENTIFYING * 50)
    response = client.post(reverse("reflection_edit", args=[reflection.pk]), data, headers=AUTOSAVE)
    assert response.status_code == 409 and response.json()["conflict"] is True


def test_sharing_waits_until_a_flagged_passage_is_taken_out_or_kept(client, practitioner, supervisor, agreement):
    reflection = write(practitioner, wondering=f"Should I {PHONE} myself?")
    client.force_login(practitioner)
    url = reverse("reflection_share", args=[reflection.pk])
    response = client.post(url, {"supervisors": [supervisor.pk]})
    assert response.status_code == 200
    assert f"<q>{PHONE}</q>" in text(response) and "Before sharing" in text(response)
    assert not reflection.shares.exists()
    response = client.post(url, {"supervisors": [supervisor.pk], "keep_identifying": "on", "keep_passage": PHONE})
    assert response.status_code == 302
    assert reflection.shares.filter(supervisor=supervisor).exists()


def warned(response, field_label: str, passage: str) -> bool:
    content = text(response)
    return "Could this identify someone?" in content and f"in “{field_label}”" in content and passage in content


def assert_waits_then_keeps(client, url: str, data: dict, *, label: str, passage: str, saved, status=(302,)):
    response = client.post(url, data)
    assert response.status_code in {200, 400}, response.status_code
    assert warned(response, label, passage)
    assert not saved()
    shown = re.findall(r'name="keep_passage" value="([^"]*)"', response.content.decode())
    response = client.post(url, {**data, "keep_identifying": "on", "keep_passage": [html.unescape(s) for s in shown]})
    assert response.status_code in status, text(response)[:2000]
    assert saved()


def test_an_agenda_item_waits_for_a_passage_to_be_kept(client, agreement, practitioner):
    (session,) = scheduling.sessions_schedule(
        supervisor=agreement.supervisor,
        agreement=agreement,
        starts_at=NOW + datetime.timedelta(days=2),
        duration_minutes=60,
        modality=SupervisionSession.Modality.VIDEO,
    )
    client.force_login(practitioner)
    assert_waits_then_keeps(
        client,
        reverse("agenda_add", args=[session.pk]),
        {"text": f"What to do about {NAME}'s new partner"},
        label="What would you like to think about together?",
        passage=NAME,
        saved=AgendaItem.objects.exists,
    )


def test_a_follow_up_waits_and_keeps_the_words_on_the_page(client, agreement, supervisor, practitioner):
    session = schedule_and_hold(agreement)
    client.force_login(supervisor)
    data = {"text": f"Ask about the letter from {STREET}", "owner": practitioner.pk, "kind": "reflective"}
    response = client.post(reverse("follow_up_create", args=[session.pk]), data)
    assert response.status_code == 400
    assert f"Ask about the letter from {STREET}" in text(response)
    assert_waits_then_keeps(
        client,
        reverse("follow_up_create", args=[session.pk]),
        data,
        label="Follow-up",
        passage=STREET,
        saved=FollowUp.objects.exists,
    )


def test_a_response_waits_for_a_passage_to_be_kept(client, practitioner, supervisor, agreement):
    reflection = write(practitioner, wondering="What now?")
    services.reflection_share(reflection=reflection, supervisors=[supervisor])
    client.force_login(supervisor)
    assert_waits_then_keeps(
        client,
        reverse("response_create", args=[reflection.pk]),
        {"text": f"Could {NAME} join the next visit?"},
        label="Your response",
        passage=NAME,
        saved=ReflectionResponse.objects.exists,
    )


def test_cancelling_and_reopening_reasons_are_checked(client, agreement, supervisor):
    (upcoming,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        agreement=agreement,
        starts_at=NOW + datetime.timedelta(days=2),
        duration_minutes=60,
        modality=SupervisionSession.Modality.VIDEO,
    )
    client.force_login(supervisor)
    assert_waits_then_keeps(
        client,
        reverse("session_cancel", args=[upcoming.pk]),
        {"reason": f"Home visit emergency at {STREET}"},
        label="Why is it cancelled?",
        passage=STREET,
        saved=lambda: SupervisionSession.objects.get(pk=upcoming.pk).status == "cancelled",
    )
    signed = schedule_and_hold(agreement)
    scheduling.session_sign(session=signed, actor=supervisor)
    assert_waits_then_keeps(
        client,
        reverse("session_reopen", args=[signed.pk]),
        {"reason": f"Notes named {NAME} by mistake"},
        label="Why reopen it?",
        passage=NAME,
        saved=lambda: SupervisionSession.objects.get(pk=signed.pk).signed_at is None,
    )


def family_data(**overrides) -> dict:
    data = {
        "code": "JM-2",
        "context": Family.Context.HOME_VISITING,
        "opened_on": "2026-05-01",
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-0-label": "K",
        "children-0-birth_month": "2025-04",
        "caregivers-TOTAL_FORMS": "1",
        "caregivers-INITIAL_FORMS": "0",
        "caregivers-0-relationship": "mother",
        "caregivers-0-label": "",
        "caregivers-0-notes": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "label", "passage"),
    [
        ({"caregivers-0-notes": f"Speaks Spanish at home; cell {PHONE}."}, "Language, culture and context", PHONE),
        ({"caregivers-0-notes": "DOB: 3/14/1999, works nights."}, "Language, culture and context", "DOB: 3/14/1999"),
        ({"children-0-label": "Rosa Lopez"}, "Initials or nickname", "Rosa Lopez"),
    ],
)
def test_family_texts_wait_for_a_passage_to_be_kept(client, practitioner, overrides, label, passage):
    client.force_login(practitioner)
    response = client.post(reverse("family_create"), family_data(**overrides))
    assert response.status_code == 200
    assert warned(response, label, passage)
    assert "A few things need another look" not in text(response)
    assert not Family.objects.exists()
    shown = re.findall(r'name="keep_passage" value="([^"]*)"', response.content.decode())
    response = client.post(
        reverse("family_create"),
        family_data(**overrides, keep_identifying="on", keep_passage=[html.unescape(s) for s in shown]),
    )
    assert response.status_code == 302
    family = Family.objects.get()
    assert Child.objects.filter(family=family).exists() and Caregiver.objects.filter(family=family).exists()
    # Passages already saved are not pointed out again on the next edit.
    edit = {
        **family_data(**overrides),
        "children-INITIAL_FORMS": "1",
        "children-0-id": str(family.children.get().pk),
        "children-0-family": str(family.pk),
        "caregivers-INITIAL_FORMS": "1",
        "caregivers-0-id": str(family.caregivers.get().pk),
        "caregivers-0-family": str(family.pk),
        "context": Family.Context.EARLY_INTERVENTION,
    }
    assert client.post(reverse("family_edit", args=[family.pk]), edit).status_code == 302
    family.refresh_from_db()
    assert family.context == Family.Context.EARLY_INTERVENTION


@pytest.mark.parametrize("code", ["Maria Lopez", "maria lopez", "Blue Jay"])
def test_a_family_code_that_reads_as_a_full_name_is_refused(client, practitioner, code):
    client.force_login(practitioner)
    response = client.post(reverse("family_create"), family_data(code=code))
    assert response.status_code == 200
    assert "Blue 7" in text(response) and "ML-4" in text(response)
    assert not Family.objects.exists()


@pytest.mark.parametrize("code", ["Blue 7", "ML-4", "JM-2", "Bean"])
def test_a_family_code_with_a_digit_or_initials_is_fine(client, practitioner, code):
    client.force_login(practitioner)
    assert client.post(reverse("family_create"), family_data(code=code)).status_code == 302


def test_agreement_and_group_texts_wait_for_a_passage_to_be_kept(admin_client, organization, supervisor, practitioner):
    limits = f"Mandated reporting applies. In an emergency call {PHONE}."
    data = {
        "supervisor": supervisor.pk,
        "supervisee": practitioner.pk,
        "starts_on": "2026-06-15",
        "format": "individual",
        "cadence": "fortnightly",
        "usual_minutes": "60",
        "counts_toward_endorsement": "on",
        "confidentiality_limits": limits,
    }
    assert_waits_then_keeps(
        admin_client,
        reverse("agreement_create"),
        data,
        label="Limits of confidentiality",
        passage=PHONE,
        saved=SupervisionAgreement.objects.exists,
    )
    group = {"name": f"{NAME} circle", "facilitator": supervisor.pk, "members": [practitioner.pk], "is_active": "on"}
    assert_waits_then_keeps(
        admin_client,
        reverse("group_create"),
        group,
        label="Name of the group",
        passage=NAME,
        saved=RSCGroup.objects.exists,
    )


def test_the_organizations_own_confidentiality_wording_is_not_pointed_out(admin_client, organization):
    page = admin_client.get(reverse("agreement_create"))
    assert "Could this identify someone?" not in text(page)


def test_the_organizations_confidentiality_wording_waits_for_a_passage_to_be_kept(admin_client, organization):
    data = {
        "name": organization.name,
        "time_zone": "America/Chicago",
        "confidentiality_limits": f"In an emergency, call {NAME} on {PHONE}.",
        "restore_window_days": 30,
    }
    assert_waits_then_keeps(
        admin_client,
        reverse("organization_settings"),
        data,
        label="Limits of confidentiality",
        passage=PHONE,
        saved=lambda: PHONE in type(organization).objects.get(pk=organization.pk).confidentiality_limits,
    )


def test_two_long_addresses_that_start_alike_are_both_taken_out(practitioner):
    first = "12345 Wwwwwwwwwwwwwwwwwww Xxxxxxxxxxxxxxxxxxxxxx Yyyyyyyyyyyyyyyyyy Street"
    second = "12345 Wwwwwwwwwwwwwwwwwww Xxxxxxxxxxxxxxxxxxxxxx Yyyyyyyyyyyyyyyyyy Avenue"
    reflection = write(practitioner, what_happened=f"From {first} to {second}, twice in a month.")
    assert save(reflection, "two", what_happened="Two moves in a month.") == 1
    assert reflection.versions.get(number=1).sections["what_happened"] == (
        f"From {REMOVED} to {REMOVED}, twice in a month."
    )
