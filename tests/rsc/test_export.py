"""A person's own data: the download holds exactly what they wrote and their session log, nobody else's."""

import csv
import datetime
import io
import json
import zipfile
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import User
from rsc.models import AuditEvent, Family, RSCGroup, SessionParticipant, SupervisionSession
from rsc.models.reflections import SECTION_FIELDS, Reflection
from rsc.services import reflections as reflections
from rsc.services import sessions as scheduling

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CHICAGO)
URL = "/me/export/"
FILES = {
    "README.txt",
    *(
        f"{name}.{kind}"
        for name in ("reflections", "responses", "agenda_items", "session_replies", "sessions")
        for kind in ("csv", "json")
    ),
}
UNICODE = "Mañana — 赤ちゃん 👶 “quoted”, comma"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def write(author, **data) -> Reflection:
    return reflections.reflection_create(author=author, data=data)


def session_with(supervisor, *, agreement=None, group=None, days_ago=7, minutes=90) -> SupervisionSession:
    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        agreement=agreement,
        group=group,
        starts_at=NOW - datetime.timedelta(days=days_ago),
        duration_minutes=minutes,
        modality=SupervisionSession.Modality.VIDEO,
    )
    return session


def hold(session, supervisor, attendance=SessionParticipant.Attendance.ATTENDED) -> SupervisionSession:
    scheduling.session_record_attendance(
        session=session,
        actor=supervisor,
        status="held",
        attendance={p.user_id: attendance for p in session.participants.all()},
    )
    session.refresh_from_db()
    return session


@pytest.fixture
def world(organization, supervisor, practitioner, other_practitioner, agreement, stranger):
    """The practitioner's writing and sessions, and other people's beside them."""
    family = Family.objects.create(organization=organization, code="JM-2", context=Family.Context.HOME_VISITING)
    family.practitioners.add(practitioner)
    session = session_with(supervisor, agreement=agreement)
    scheduling.agenda_add(session=session, author=practitioner, family=family, text="=cmd|' /C calc'!A0")
    scheduling.agenda_add(session=session, author=supervisor, text="The supervisor's agenda item")
    hold(session, supervisor)
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes="Supervisor's notes", elements=[], expected_version=0
    )
    session.refresh_from_db()
    scheduling.session_sign(session=session, actor=supervisor)
    scheduling.session_reply_add(session=session, author=practitioner, text="-My reply under the notes")
    scheduling.session_reply_add(session=session, author=supervisor, text="The supervisor's reply")

    group = RSCGroup.objects.create(organization=organization, name="Tuesday circle", facilitator=supervisor)
    group.members.add(practitioner, other_practitioner)
    group_session = hold(session_with(supervisor, group=group, days_ago=3, minutes=120), supervisor)

    mine = write(
        practitioner,
        title='=HYPERLINK("http://evil.example")',
        what_happened=UNICODE,
        baby_experience="+1 for the baby",
        caregiver_experience="-mum was tired",
        own_response="@SUM(A1:A2)",
        family=family,
        session=session,
        checkin_score=3,
        checkin_words="steady",
    )
    reflections.reflection_share(reflection=mine, supervisors=[supervisor])
    reflections.response_add(reflection=mine, author=supervisor, text="The supervisor's response")
    reflections.response_add(reflection=mine, author=practitioner, text="My own reply")
    second = write(practitioner, title="Second", wondering="Plain words")
    deleted = write(practitioner, title="Deleted one")
    reflections.reflection_delete(reflection=deleted)

    # Others' writing: shared with the practitioner's supervisor, answered by the practitioner's peer.
    theirs = write(other_practitioner, title="Quinn's own", what_happened="Quinn's text")
    reflections.reflection_share(reflection=theirs, supervisors=[supervisor])
    supervisors_own = write(supervisor, title="Sasha's own reflection")
    write(stranger, title="Far away")
    return {
        "session": session,
        "group_session": group_session,
        "mine": mine,
        "second": second,
        "deleted": deleted,
        "theirs": theirs,
        "supervisors_own": supervisors_own,
    }


def download(client) -> dict[str, bytes]:
    response = client.post(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="rsc-records-2026-06-15.zip"'
    assert "no-store" in response["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(files, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[f"{name}.csv"].decode("utf-8-sig"))))


def json_rows(files, name) -> list[dict]:
    return json.loads(files[f"{name}.json"].decode())


# --- Who may download -----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_url_is_named_and_under_me():
    assert reverse("my_data_export") == URL


def test_get_explains_and_does_not_download(client, practitioner, world):
    client.force_login(practitioner)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Download your data" in page and 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert "your reflections (2)" in page and "your session log (2 sessions)" in page
    assert "the reply you wrote under a session’s notes (1)" in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_other_methods_are_refused(client, practitioner):
    client.force_login(practitioner)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_the_download_needs_the_csrf_token(practitioner, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    assert client.post(URL).status_code == 403
    page = client.get(URL)
    token = page.context["csrf_token"]
    response = client.post(URL, {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


def test_the_profile_links_to_the_download(client, practitioner):
    client.force_login(practitioner)
    assert f'href="{URL}"' in client.get(reverse("profile")).content.decode()


# --- What is in it ----------------------------------------------------------------------------


def test_the_zip_holds_the_persons_reflections_and_nobody_elses(client, practitioner, world):
    client.force_login(practitioner)
    files = download(client)
    assert set(files) == FILES
    mine, second = world["mine"], world["second"]
    for rows in (csv_rows(files, "reflections"), json_rows(files, "reflections")):
        assert [int(row["id"]) for row in rows] == [mine.pk, second.pk]  # not the deleted one, nor anyone else's
    row = json_rows(files, "reflections")[0]
    assert row["family"] == "JM-2"
    assert row["session_date"] == "2026-06-08"
    assert row["created"] == "2026-06-15T10:00:00-05:00"
    assert {field: row[field] for field in SECTION_FIELDS} == mine.texts()
    assert (row["checkin_score"], row["checkin_words"]) == (3, "steady")
    assert row["shared_with"] == ["Sasha Supervisor"]
    assert row["sharing"] == [{"with": "Sasha Supervisor", "shared": "2026-06-15T10:00:00-05:00", "stopped": ""}]
    assert [version["number"] for version in row["versions"]] == [1]
    assert row["versions"][0]["sections"]["what_happened"] == UNICODE
    assert csv_rows(files, "reflections")[0]["shared_with"] == "Sasha Supervisor"
    everything = b"".join(files.values()).decode("utf-8", "replace")
    for other in ("Quinn's text", "Quinn's own", "Sasha's own", "Far away", "Deleted one", "Supervisor's notes"):
        assert other not in everything
    assert "The supervisor's response" not in everything and "The supervisor's agenda item" not in everything


def test_the_replies_under_session_notes_are_the_persons_own(client, practitioner, supervisor, world):
    client.force_login(practitioner)
    files = download(client)
    for rows in (csv_rows(files, "session_replies"), json_rows(files, "session_replies")):
        assert [(int(row["session_id"]), row["session_date"]) for row in rows] == [(world["session"].pk, "2026-06-08")]
    assert json_rows(files, "session_replies")[0]["text"] == "-My reply under the notes"
    assert csv_rows(files, "session_replies")[0]["text"] == "'-My reply under the notes"  # never a formula
    assert "session_replies.csv" in files["README.txt"].decode()
    assert "The supervisor's reply" not in b"".join(files.values()).decode("utf-8", "replace")
    # The supervisor's own reply is in theirs.
    client.force_login(supervisor)
    assert [row["text"] for row in json_rows(download(client), "session_replies")] == ["The supervisor's reply"]


def test_responses_and_agenda_items_are_the_persons_own(client, practitioner, world):
    client.force_login(practitioner)
    files = download(client)
    for rows in (csv_rows(files, "responses"), json_rows(files, "responses")):
        assert [(row["text"], row["reflection_author"]) for row in rows] == [("My own reply", "Pat Practitioner")]
    agenda = json_rows(files, "agenda_items")
    assert [(row["session_id"], row["family"], row["text"]) for row in agenda] == [
        (world["session"].pk, "JM-2", "=cmd|' /C calc'!A0")
    ]


def test_a_supervisor_gets_their_responses_but_never_the_reflections_shared_with_them(client, supervisor, world):
    client.force_login(supervisor)
    files = download(client)
    assert [int(row["id"]) for row in csv_rows(files, "reflections")] == [world["supervisors_own"].pk]
    responses = json_rows(files, "responses")
    assert [(r["reflection_id"], r["reflection_author"], r["text"]) for r in responses] == [
        (world["mine"].pk, "Pat Practitioner", "The supervisor's response")
    ]
    everything = b"".join(files.values()).decode()
    assert "Quinn's text" not in everything and UNICODE not in everything
    # Their log: the sessions they led.
    sessions = json_rows(files, "sessions")
    assert [(row["session_id"], row["role"], row["with"]) for row in sessions] == [
        (world["session"].pk, "supervisor", "Pat Practitioner"),
        (world["group_session"].pk, "supervisor", "Tuesday circle"),
    ]


def test_the_session_log_has_dates_lengths_attendance_and_signatures(client, practitioner, world):
    client.force_login(practitioner)
    files = download(client)
    rows = json_rows(files, "sessions")
    assert rows == [
        {
            "session_id": world["session"].pk,
            "date": "2026-06-08",
            "start": "10:00",
            "duration_minutes": 90,
            "modality": "video",
            "status": "held",
            "role": "supervisee",
            "attendance": "attended",
            "supervisor": "Sasha Supervisor",
            "with": "Sasha Supervisor",
            "signed": True,
            "signed_at": "2026-06-15T10:00:00-05:00",
        },
        {
            "session_id": world["group_session"].pk,
            "date": "2026-06-12",
            "start": "10:00",
            "duration_minutes": 120,
            "modality": "video",
            "status": "held",
            "role": "group member",
            "attendance": "attended",
            "supervisor": "Sasha Supervisor",
            "with": "Tuesday circle",
            "signed": False,
            "signed_at": "",
        },
    ]
    table = csv_rows(files, "sessions")
    assert [(row["duration_minutes"], row["signed"]) for row in table] == [("90", "yes"), ("120", "no")]


def test_times_are_in_the_persons_time_zone(client, practitioner, world):
    User.objects.filter(pk=practitioner.pk).update(time_zone="Europe/Paris")
    client.force_login(practitioner)
    files = download(client)
    assert json_rows(files, "sessions")[0]["start"] == "17:00"
    assert "Europe/Paris" in files["README.txt"].decode()


def test_csv_cells_never_run_as_formulas(client, practitioner, world):
    client.force_login(practitioner)
    files = download(client)
    row = csv_rows(files, "reflections")[0]
    assert row["title"] == '\'=HYPERLINK("http://evil.example")'
    assert row["baby_experience"] == "'+1 for the baby"
    assert row["caregiver_experience"] == "'-mum was tired"
    assert row["own_response"] == "'@SUM(A1:A2)"
    assert csv_rows(files, "agenda_items")[0]["text"] == "'=cmd|' /C calc'!A0"
    # The JSON keeps the text exactly as written.
    assert json_rows(files, "reflections")[0]["title"] == '=HYPERLINK("http://evil.example")'


def test_text_round_trips_unchanged(client, practitioner, world):
    multiline = f'{UNICODE}\nsecond line, with "quotes"\r\nthird'
    Reflection.objects.filter(pk=world["second"].pk).update(wondering=multiline)
    client.force_login(practitioner)
    files = download(client)
    assert files["reflections.csv"].startswith(b"\xef\xbb\xbf")  # spreadsheets read it as UTF-8
    assert csv_rows(files, "reflections")[0]["what_happened"] == UNICODE
    assert json_rows(files, "reflections")[1]["wondering"] == multiline
    assert csv_rows(files, "reflections")[1]["wondering"] == multiline


def test_an_administrator_alone_gets_an_empty_log(client, admin_user, world):
    client.force_login(admin_user)
    files = download(client)
    assert set(files) == FILES
    for name in ("reflections", "responses", "agenda_items", "session_replies", "sessions"):
        assert json_rows(files, name) == []
        assert csv_rows(files, name) == []
    assert files["sessions.csv"].decode("utf-8-sig").startswith("session_id,date,start,duration_minutes")


# --- The audit trail and cost -----------------------------------------------------------------


def test_the_download_is_audited_with_counts_only(client, practitioner, world):
    client.force_login(practitioner)
    download(client)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.record_type, event.record_id, event.actor_id) == ("person", practitioner.pk, practitioner.pk)
    assert event.organization_id == practitioner.organization_id
    assert event.detail == {
        "export": "own_data",
        "reflections": 2,
        "responses": 1,
        "agenda_items": 1,
        "session_replies": 1,
        "sessions": 2,
    }


def test_the_number_of_queries_does_not_grow_with_the_records(
    client, practitioner, supervisor, agreement, world, django_assert_num_queries
):
    client.force_login(practitioner)
    client.get(URL)

    def locked():
        # The session and the person; the reflections, their shares and their versions; the
        # responses; the agenda items; the replies under session notes; the sessions taken part
        # in; those led; the audit event.
        with django_assert_num_queries(11):
            download(client)

    locked()
    for number in range(6):
        reflection = write(practitioner, title=f"More {number}", what_happened="text")
        reflections.reflection_save(
            reflection=reflection, actor=practitioner, data={"wondering": "more"}, expected_revision=1
        )
        reflections.reflection_share(reflection=reflection, supervisors=[supervisor])
        reflections.response_add(reflection=reflection, author=practitioner, text="again")
        hold(session_with(supervisor, agreement=agreement, days_ago=20 + number), supervisor)
    assert Reflection.objects.written_by(practitioner).count() == 8
    locked()
