"""The audit trail viewer for account administrators: the list, its filters, and the CSV export."""

import csv
import datetime
import io
import json
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rsc.lib.csv import neutralise
from rsc.models import AuditEvent, SupervisionAgreement
from rsc.views.audit import CSV_HEADER, PER_PAGE, audit_list
from tests.conftest import make_person

Action = AuditEvent.Action
RecordType = AuditEvent.RecordType
AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
LIST_URL = "/audit/"
EXPORT_URL = "/audit/export.csv"
CONTENT_TABLES = ("rsc_reflection", "rsc_supervisionsession", "rsc_sessionnote", "rsc_agendaitem")


def event(organization, actor=None, action=Action.READ, record_type=RecordType.REFLECTION, record_id=12, **fields):
    values = {
        "organization": organization,
        "actor": actor,
        "actor_email": actor.email if actor is not None else "",
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "ip": "203.0.113.7",
        "request_id": "a1b2c3d4e5f6",
    }
    values.update(fields)
    return AuditEvent.objects.create(**values)


# Signing the test client in may itself be recorded; the tests look past those events.
SIGN_IN_OUT = {Action.LOGIN, Action.LOGOUT}


def without_sign_ins(events) -> list:
    return [item for item in events if item.action not in SIGN_IN_OUT]


def export_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


def content_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if any(table in query["sql"] for table in CONTENT_TABLES)]


# Access ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
@pytest.mark.parametrize("persona", ["supervisor", "practitioner", "stranger"])
def test_only_administrators_may_look(client, admin_user, persona, url, request):
    event(admin_user.organization, admin_user)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url).status_code == 404
    # An export refused records no export.
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_another_organizations_administrator_sees_only_their_own_trail(client, admin_user, supervisor, stranger_admin):
    event(admin_user.organization, supervisor, record_id=4242)
    client.force_login(stranger_admin)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert without_sign_ins(response.context["page"].object_list) == []
    assert "4242" not in response.text and "Sasha Supervisor" not in response.text
    # Naming a person of the other organization finds nothing either.
    assert client.get(LIST_URL, {"person": supervisor.pk}).status_code == 400
    rows = export_rows(client.get(EXPORT_URL))
    assert [row[5] for row in rows[1:] if row[5] not in SIGN_IN_OUT] == ["export"]
    assert "sup@riverbend.example" not in str(rows)


def test_a_deactivated_administrator_finds_nothing(client, admin_user):
    client.force_login(admin_user)
    User.objects.filter(pk=admin_user.pk).update(is_active=False)
    response = client.get(LIST_URL)
    assert response.status_code in (302, 404)


def test_the_administrator_sees_the_page(admin_client):
    response = admin_client.get(LIST_URL)
    assert response.status_code == 200
    assert '<h1 class="page-title">Audit trail</h1>' in response.text


def test_an_empty_trail_says_so(rf, admin_user):
    # Straight to the view: signing a test client in could itself put an event in the trail.
    request = rf.get(LIST_URL)
    request.user = admin_user
    response = audit_list(request)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nothing has been recorded yet" in text
    assert "Download as CSV" not in text  # nothing to download


def test_the_download_link_keeps_the_filters(admin_client, mixed_events, supervisor):
    text = admin_client.get(LIST_URL).text
    assert f'href="{EXPORT_URL}" download>Download as CSV</a>' in text
    text = admin_client.get(LIST_URL, {"person": supervisor.pk, "action": "read", "page": "1"}).text
    assert (
        f'href="{EXPORT_URL}?person={supervisor.pk}&amp;action=read" download>Download these events as CSV</a>' in text
    )


def test_administrators_find_the_trail_in_the_navigation_and_on_the_home_page(admin_client, client, practitioner):
    home = admin_client.get("/").text
    assert home.count(f'href="{LIST_URL}"') == 2
    client.force_login(practitioner)
    assert f'href="{LIST_URL}"' not in client.get("/").text


# The list -------------------------------------------------------------------------


def test_only_the_organizations_events_newest_first(admin_client, admin_user, supervisor, stranger_admin):
    now = timezone.now()
    older = event(admin_user.organization, supervisor, record_id=101, at=now - datetime.timedelta(hours=2))
    newer = event(admin_user.organization, supervisor, record_id=102, at=now - datetime.timedelta(hours=1))
    event(stranger_admin.organization, stranger_admin, record_id=999)
    event(None, None, action=Action.LOGIN_FAILED, record_type="", record_id=None, actor_email="who@nowhere.example")

    response = admin_client.get(LIST_URL)
    events = without_sign_ins(response.context["page"].object_list)
    assert events == [newer, older]
    assert "Reflection #102" in response.text
    assert "#999" not in response.text
    assert "who@nowhere.example" not in response.text


def test_each_column(admin_client, admin_user, supervisor, practitioner):
    admin_user.time_zone = "Pacific/Auckland"
    admin_user.save()
    at = datetime.datetime(2026, 3, 2, 20, 15, 30, tzinfo=datetime.UTC)  # 09:15:30 on the 3rd in Auckland
    event(admin_user.organization, supervisor, record_id=12, at=at)
    event(
        admin_user.organization,
        None,
        action=Action.LOGIN_FAILED,
        record_type=RecordType.ACCOUNT,
        record_id=None,
        actor_email="sasha@typo.example",
        at=at,
    )
    event(admin_user.organization, None, action=Action.PURGE, record_type=RecordType.FAMILY, record_id=3, at=at)
    event(
        admin_user.organization,
        admin_user,
        action=Action.ROLE_CHANGE,
        record_type=RecordType.PERSON,
        record_id=practitioner.pk,
        at=at,
    )

    text = admin_client.get(LIST_URL).text
    assert "3 Mar 2026, 09:15:30" in text
    assert 'datetime="2026-03-03T09:15:30+1300"' in text
    assert "Sasha Supervisor" in text
    assert "sasha@typo.example" in text  # the address typed for a failed sign-in
    assert "System" in text
    assert "Failed sign-in" in text and "Purged" in text and "Changed roles" in text and "Read" in text
    assert "Reflection #12" in text
    assert 'href="/reflections/12/"' not in text  # an administrator does not open reflections
    assert f'<a href="/people/{practitioner.pk}/">Person #{practitioner.pk}</a>' in text
    assert "203.0.113.7" in text
    assert "a1b2c3d4e5f6" in text
    assert "Times are shown in Pacific/Auckland" in text


def test_records_are_linked_only_where_the_administrator_may_open_them(
    admin_client, admin_user, supervisor, practitioner, stranger
):
    organization = admin_user.organization
    agreement = SupervisionAgreement.objects.create(
        organization=organization, supervisor=supervisor, supervisee=practitioner, starts_on=datetime.date(2026, 1, 1)
    )
    event(organization, admin_user, action=Action.CREATE, record_type=RecordType.AGREEMENT, record_id=agreement.pk)
    event(organization, admin_user, action=Action.EDIT, record_type=RecordType.ORGANIZATION, record_id=organization.pk)
    # Someone of another organization, named in this organization's trail (a refused look-up).
    event(organization, supervisor, action=Action.ACCESS_REFUSED, record_type=RecordType.PERSON, record_id=stranger.pk)
    event(organization, supervisor, record_type=RecordType.SESSION, record_id=7)
    event(organization, None, action=Action.LOGIN_FAILED, record_type=RecordType.ACCOUNT, record_id=supervisor.pk)

    text = admin_client.get(LIST_URL).text
    assert f'<a href="/agreements/{agreement.pk}/">Agreement #{agreement.pk}</a>' in text
    assert f'<a href="/organization/">Organization #{organization.pk}</a>' in text
    assert f"Person #{stranger.pk}" in text
    assert f'href="/people/{stranger.pk}/"' not in text
    assert "Session #7" in text
    assert 'href="/sessions/7/"' not in text
    assert f'<a href="/people/{supervisor.pk}/">Account #{supervisor.pk}</a>' in text


def test_an_event_of_a_removed_account_still_shows(admin_client, admin_user):
    event(admin_user.organization, None, actor_id=987654, actor_email="gone@riverbend.example")
    response = admin_client.get(LIST_URL)
    assert response.status_code == 200
    assert "gone@riverbend.example" in response.text


@pytest.fixture
def mixed_events(admin_user, supervisor, practitioner):
    organization = admin_user.organization
    tz = zoneinfo.ZoneInfo(admin_user.time_zone)
    at = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=tz)
    return {
        "sup_read": event(organization, supervisor, record_id=1, at=at),
        "sup_ack": event(
            organization, supervisor, action=Action.ACKNOWLEDGE, record_type=RecordType.AGREEMENT, record_id=9, at=at
        ),
        "pat_edit": event(organization, practitioner, action=Action.EDIT, record_id=2, at=at),
        "pat_session": event(
            organization, practitioner, record_type=RecordType.SESSION, record_id=3, at=at + datetime.timedelta(1)
        ),
        "admin_earlier": event(
            organization,
            admin_user,
            action=Action.INVITE,
            record_type=RecordType.PERSON,
            record_id=practitioner.pk,
            at=at - datetime.timedelta(days=10),
        ),
    }


def listed(client, **params) -> set:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200, response.context["form"].errors
    return set(without_sign_ins(response.context["page"].object_list))


def test_filter_by_person(admin_client, mixed_events, supervisor):
    assert listed(admin_client, person=supervisor.pk) == {mixed_events["sup_read"], mixed_events["sup_ack"]}
    assert len(listed(admin_client, person="")) == 5


def test_filter_by_record_type(admin_client, mixed_events):
    assert listed(admin_client, record_type="session") == {mixed_events["pat_session"]}


def test_filter_by_action(admin_client, mixed_events):
    assert listed(admin_client, action="read") == {mixed_events["sup_read"], mixed_events["pat_session"]}


def test_filters_combine(admin_client, mixed_events, practitioner):
    assert listed(admin_client, person=practitioner.pk, action="read") == {mixed_events["pat_session"]}


def test_filter_by_dates_is_inclusive(admin_client, mixed_events):
    march_2 = {mixed_events["sup_read"], mixed_events["sup_ack"], mixed_events["pat_edit"]}
    assert listed(admin_client, start="2026-03-02", end="2026-03-02") == march_2
    assert listed(admin_client, start="2026-03-02") == march_2 | {mixed_events["pat_session"]}
    assert listed(admin_client, end="2026-03-02") == march_2 | {mixed_events["admin_earlier"]}


def test_dates_are_the_administrators_days(admin_client, admin_user, supervisor):
    admin_user.time_zone = "Pacific/Auckland"
    admin_user.save()
    # 11:30 UTC on the 2nd is already 00:30 on the 3rd in Auckland.
    late = event(admin_user.organization, supervisor, at=datetime.datetime(2026, 3, 2, 11, 30, tzinfo=datetime.UTC))
    early = event(admin_user.organization, supervisor, at=datetime.datetime(2026, 3, 2, 10, 30, tzinfo=datetime.UTC))
    assert listed(admin_client, start="2026-03-03", end="2026-03-03") == {late}
    assert listed(admin_client, start="2026-03-02", end="2026-03-02") == {early}


def test_the_filter_form_keeps_its_values(admin_client, mixed_events, supervisor):
    text = admin_client.get(LIST_URL, {"person": supervisor.pk, "action": "read", "start": "2026-03-01"}).text
    assert f'<option value="{supervisor.pk}" selected>Sasha Supervisor</option>' in text
    assert '<option value="read" selected>Read</option>' in text
    assert 'value="2026-03-01"' in text
    assert "Clear the filters" in text


def test_the_person_filter_offers_the_organizations_people_only(admin_client, supervisor, stranger):
    User.objects.filter(pk=supervisor.pk).update(is_active=False)
    text = admin_client.get(LIST_URL).text
    assert '<option value="" selected>Anyone</option>' in text
    assert "Sasha Supervisor (deactivated)" in text
    assert stranger.full_name not in text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-13-45"}, "start", "Enter a date such as 2026-03-02."),
        ({"end": "yesterday"}, "end", "Enter a date such as 2026-03-02."),
        ({"start": "0001-01-01"}, "start", "Enter a date between 2000-01-01 and 2999-12-31."),
        ({"end": "9999-12-31"}, "end", "Enter a date between 2000-01-01 and 2999-12-31."),
        ({"start": "2026-03-05", "end": "2026-03-01"}, "end", "The end date is before the start date."),
        ({"action": "steal"}, "action", "Choose an action from the list."),
        ({"record_type": "diary"}, "record_type", "Choose a kind of record from the list."),
        ({"person": "not-a-number"}, "person", "Choose a person of your organization from the list."),
    ],
)
def test_bad_filters_are_explained(admin_client, mixed_events, params, field, message):
    response = admin_client.get(LIST_URL, params)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    text = response.text
    assert message.split(".")[0] in text
    assert "Some filters could not be used" in text
    assert f'aria-invalid="true" aria-describedby="id_{field}_error"' in text
    assert f'id="id_{field}_error"' in text
    assert response.context["page"] is None  # no unfiltered list that could be mistaken for the filtered one
    assert "as CSV" not in text


def test_another_organizations_person_is_refused(admin_client, mixed_events, stranger):
    response = admin_client.get(LIST_URL, {"person": stranger.pk})
    assert response.status_code == 400
    assert "Choose a person of your organization from the list." in response.text
    assert stranger.full_name not in response.text


def test_unknown_parameters_and_pages_are_ignored(admin_client, mixed_events):
    assert admin_client.get(LIST_URL, {"page": "nope", "colour": "blue"}).status_code == 200
    assert admin_client.get(LIST_URL, {"page": "999"}).status_code == 200


def test_pages_of_fifty(admin_client, admin_user, supervisor):
    start = timezone.now() - datetime.timedelta(days=1)
    for index in range(PER_PAGE + 3):
        event(admin_user.organization, supervisor, record_id=index, at=start + datetime.timedelta(minutes=index))
    first = admin_client.get(LIST_URL, {"action": "read"})
    assert len(first.context["page"].object_list) == PER_PAGE
    assert "Page 1 of 2" in first.text
    assert 'href="?action=read&amp;page=2"' in first.text
    assert f"{PER_PAGE + 3} events" in first.text
    second = admin_client.get(LIST_URL, {"action": "read", "page": 2})
    assert [e.record_id for e in second.context["page"].object_list] == [2, 1, 0]
    assert 'href="?action=read&amp;page=1"' in second.text


def test_the_list_has_a_fixed_number_of_queries(admin_client, admin_user, django_assert_num_queries):
    organization = admin_user.organization
    people = [make_person(organization, f"p{index}@riverbend.example", f"Person {index}") for index in range(20)]
    agreement_people = people[:2]
    agreement = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=agreement_people[0],
        supervisee=agreement_people[1],
        starts_on=datetime.date(2026, 1, 1),
    )

    def add_events(count):
        kinds = [
            (RecordType.REFLECTION, 5),
            (RecordType.PERSON, people[3].pk),
            (RecordType.AGREEMENT, agreement.pk),
            (RecordType.SESSION, 9),
        ]
        for index in range(count):
            record_type, record_id = kinds[index % len(kinds)]
            event(organization, people[index % len(people)], record_type=record_type, record_id=record_id)

    add_events(8)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(LIST_URL).status_code == 200
    add_events(192)
    # Session, user, count, events with their people, the people to choose from, the linkable people, agreements.
    with django_assert_num_queries(len(few.captured_queries)):
        response = admin_client.get(LIST_URL)
    assert len(response.context["page"].object_list) == PER_PAGE
    assert len(few.captured_queries) <= 8


# Metadata only -----------------------------------------------------------------------


@pytest.fixture
def shared_reflection(organization, practitioner, supervisor, agreement):
    from rsc.services import reflections as services

    reflection = services.reflection_create(
        author=practitioner, data={"title": "After the visit", "what_happened": "SECRET-WORDS of the visit."}
    )
    services.reflection_share(reflection=reflection, supervisors=[supervisor])
    return reflection


def test_the_viewer_never_reads_the_records_themselves(admin_client, admin_user, supervisor, shared_reflection):
    organization = admin_user.organization
    event(organization, supervisor, record_type=RecordType.REFLECTION, record_id=shared_reflection.pk)
    event(organization, supervisor, action=Action.ATTENDANCE, record_type=RecordType.SESSION, record_id=4)
    for url, params in [
        (LIST_URL, {}),
        (LIST_URL, {"record_type": "reflection", "person": supervisor.pk}),
        (EXPORT_URL, {}),
    ]:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, params)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200
        assert content_queries(queries.captured_queries) == []
        assert b"SECRET-WORDS" not in body
        assert b"After the visit" not in body


# The CSV export ---------------------------------------------------------------------


def test_the_export_streams_a_csv_file(admin_client, admin_user, supervisor):
    admin_user.time_zone = "Pacific/Auckland"
    admin_user.save()
    at = datetime.datetime(2026, 3, 2, 20, 15, 30, tzinfo=datetime.UTC)
    event(admin_user.organization, supervisor, record_id=12, at=at, detail={"shared_with": [3, 4], "count": 2})

    response = admin_client.get(EXPORT_URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localtime(timezone.now(), AUCKLAND).date()
    assert response["Content-Disposition"] == f'attachment; filename="audit-{today:%Y-%m-%d}.csv"'
    rows = export_rows(response)
    assert rows[0] == CSV_HEADER
    read = next(row for row in rows[1:] if row[5] == "read")
    assert read == [
        "2026-03-02T20:15:30Z",
        "2026-03-03T09:15:30+13:00",
        str(supervisor.pk),
        "sup@riverbend.example",
        "Sasha Supervisor",
        "read",
        "Read",
        "reflection",
        "12",
        "203.0.113.7",
        "a1b2c3d4e5f6",
        '{"count":2,"shared_with":[3,4]}',
    ]


def test_the_export_is_itself_recorded_with_its_filters(admin_client, admin_user, supervisor):
    response = admin_client.get(
        EXPORT_URL, {"person": supervisor.pk, "action": "read", "start": "2026-03-01", "end": "2026-03-31"}
    )
    b"".join(response.streaming_content)
    export = AuditEvent.objects.get(action=Action.EXPORT)
    assert export.actor == admin_user
    assert export.organization_id == admin_user.organization_id
    assert export.record_type == RecordType.AUDIT
    assert export.record_id is None
    assert export.detail == {
        "filters": {"person": supervisor.pk, "action": "read", "from": "2026-03-01", "to": "2026-03-31"}
    }
    assert export.request_id


def test_the_export_applies_the_filters(admin_client, mixed_events, supervisor):
    rows = export_rows(admin_client.get(EXPORT_URL, {"person": supervisor.pk, "action": "read"}))
    assert [(row[5], row[8]) for row in rows[1:]] == [("read", "1")]


def test_the_export_holds_only_the_organizations_events(admin_client, admin_user, stranger_admin):
    event(admin_user.organization, admin_user, record_id=1)
    event(stranger_admin.organization, stranger_admin, record_id=2)
    rows = [row for row in export_rows(admin_client.get(EXPORT_URL))[1:] if row[5] not in SIGN_IN_OUT]
    assert [(row[5], row[8]) for row in rows] == [("export", ""), ("read", "1")]
    assert "admin@farhills.example" not in str(rows)


def test_the_export_refuses_bad_filters_clearly(admin_client, mixed_events):
    response = admin_client.get(EXPORT_URL, {"start": "2026-02-30", "action": "steal"})
    assert response.status_code == 400
    assert "Enter a date such as 2026-03-02." in response.text
    assert "Choose an action from the list." in response.text
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_export_neutralises_spreadsheet_formulas(admin_client, admin_user):
    person = make_person(admin_user.organization, "formula@riverbend.example", '=HYPERLINK("http://x")')
    event(admin_user.organization, person, record_id=5)
    event(
        admin_user.organization,
        None,
        action=Action.LOGIN_FAILED,
        record_type="",
        record_id=None,
        actor_email="@SUM(1+1)",
        request_id="+cmd",
    )
    rows = export_rows(admin_client.get(EXPORT_URL))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'@SUM(1+1)" in cells
    assert "'+cmd" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (12, "12"),
        (None, ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_the_detail_is_compact_json(admin_client, admin_user):
    event(admin_user.organization, admin_user, detail={"roles": ["supervisor"], "note": "ünïcode"})
    rows = export_rows(admin_client.get(EXPORT_URL))
    detail = next(row[11] for row in rows[1:] if row[5] == "read")
    assert detail == '{"note":"ünïcode","roles":["supervisor"]}'
    assert json.loads(detail) == {"note": "ünïcode", "roles": ["supervisor"]}


def test_event_times_are_machine_readable_without_fractions_of_a_second(admin_client, organization, admin_user):
    AuditEvent.objects.create(organization=organization, actor=admin_user, action=AuditEvent.Action.LOGIN)
    page = admin_client.get(reverse("audit_list")).content.decode()
    stamps = re.findall(r'<time datetime="([^"]+)"', page)
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", stamp) for stamp in stamps)
