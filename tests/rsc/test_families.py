import datetime
import html
import re
import zoneinfo

import pytest
import time_machine
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from rsc.models import (
    AgendaItem,
    Caregiver,
    Child,
    Family,
    SessionParticipant,
    SupervisionAgreement,
    SupervisionSession,
)
from rsc.views.families import _session_rows

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CHICAGO)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def month(year: int, number: int) -> datetime.date:
    return datetime.date(year, number, 1)


def make_family(organization, *practitioners, code="JM-2", children=(), caregivers=(), **fields) -> Family:
    family = Family.objects.create(
        organization=organization,
        code=code,
        context=fields.pop("context", Family.Context.HOME_VISITING),
        opened_on=fields.pop("opened_on", datetime.date(2026, 1, 10)),
        **fields,
    )
    family.practitioners.set(practitioners)
    for label, birth_month in children:
        Child.objects.create(family=family, label=label, birth_month=birth_month)
    for relationship, notes in caregivers:
        Caregiver.objects.create(family=family, relationship=relationship, notes=notes)
    return family


@pytest.fixture
def family(organization, practitioner):
    return make_family(
        organization,
        practitioner,
        children=[("K", month(2025, 4))],
        caregivers=[(Caregiver.Relationship.MOTHER, "Speaks Tagalog at home.")],
    )


def form_data(**overrides) -> dict:
    """A valid family form as a browser sends it: three blank child and caregiver rows."""
    data = {
        "code": "JM-2",
        "context": Family.Context.EARLY_INTERVENTION,
        "opened_on": "2026-05-04",
        "children-TOTAL_FORMS": "3",
        "children-INITIAL_FORMS": "0",
        "caregivers-TOTAL_FORMS": "3",
        "caregivers-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def edit_data(family: Family, *, editor: User, **overrides) -> dict:
    """The edit form of `family`, as `editor`'s browser sends it unchanged, plus overrides."""
    data = {
        "code": family.code,
        "context": family.context,
        "opened_on": family.opened_on.isoformat(),
        "colleagues": [person.pk for person in family.practitioners.exclude(pk=editor.pk)],
    }
    for prefix, rows, fields in [
        ("children", family.children.all(), ["label", "birth_month", "expected"]),
        ("caregivers", family.caregivers.all(), ["relationship", "label", "notes"]),
    ]:
        rows = list(rows)
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows) + 3)
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = str(row.pk)
            data[f"{prefix}-{index}-family"] = str(family.pk)
            for name in fields:
                value = getattr(row, name)
                if name == "birth_month":
                    value = value.strftime("%Y-%m")
                if value is True:
                    value = "on"
                if value is not False:
                    data[f"{prefix}-{index}-{name}"] = value
    data.update(overrides)
    return data


def text(response) -> str:
    """The page as a person reads it: HTML entities turned back into characters."""
    return html.unescape(response.content.decode())


def nothing_saved() -> bool:
    return not (Family.objects.exists() or Child.objects.exists() or Caregiver.objects.exists())


# Access: every URL, every persona.

FAMILY_URLS = ["family_detail", "family_edit", "family_close", "family_reopen", "family_delete"]
CHANGE_URLS = ["family_edit", "family_close", "family_reopen", "family_delete"]
ALL_URLS = ["family_list", "family_create", "family_deleted_list", *FAMILY_URLS, "family_restore"]


def url_for(name: str, family: Family) -> str:
    return (
        reverse(name)
        if name in {"family_list", "family_create", "family_deleted_list"}
        else reverse(name, args=[family.pk])
    )


@pytest.mark.parametrize("name", ALL_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, family, name, method):
    response = getattr(client, method)(url_for(name, family))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "persona", ["other_practitioner", "other_supervisor", "admin_user", "stranger", "stranger_admin"]
)
@pytest.mark.parametrize("name", FAMILY_URLS)
def test_people_without_access_find_no_family_page(client, request, family, persona, name):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, args=[family.pk])
    assert client.get(url).status_code in {404, 405}
    assert client.post(url, {**form_data(code="TAKEN"), "closed_on": "2026-06-01"}).status_code in {404, 405}
    family.refresh_from_db()
    assert (family.code, family.closed_on, family.deleted_at) == ("JM-2", None, None)


@pytest.mark.parametrize("name", FAMILY_URLS)
def test_pages_of_a_family_answer_404_for_content_and_405_for_the_wrong_method(client, practitioner, family, name):
    client.force_login(practitioner)
    url = reverse(name, args=[family.pk])
    get_status, post_status = client.get(url).status_code, client.post(url).status_code
    # GET-only and POST-only pages refuse the other method; the rest answer both.
    assert (get_status, post_status) != (405, 405)
    assert client.put(url).status_code == 405


@pytest.mark.parametrize("persona", ["admin_user", "stranger_admin"])
def test_administrators_who_do_not_serve_families_get_no_family_list(client, request, persona, family):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("family_list")).status_code == 404
    assert client.get(reverse("family_create")).status_code == 404


def test_a_practitioner_of_another_organization_sees_none_of_ours(client, stranger, family):
    client.force_login(stranger)
    response = client.get(reverse("family_list"), {"state": "all"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert client.get(reverse("family_detail", args=[family.pk])).status_code == 404


def test_only_practitioners_add_families(client, supervisor, practitioner):
    client.force_login(supervisor)
    assert client.get(reverse("family_create")).status_code == 404
    assert client.post(reverse("family_create"), form_data()).status_code == 404
    assert nothing_saved()
    client.force_login(practitioner)
    assert client.get(reverse("family_create")).status_code == 200


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("family_list", "post"),
        ("family_create", "put"),
        ("family_detail", "post"),
        ("family_edit", "delete"),
        ("family_close", "get"),
        ("family_reopen", "get"),
        ("family_delete", "put"),
    ],
)
def test_practitioner_pages_reject_the_wrong_method(client, practitioner, family, name, method):
    client.force_login(practitioner)
    assert getattr(client, method)(url_for(name, family)).status_code == 405


def test_the_assigned_practitioner_reads_and_changes_their_family(client, practitioner, family):
    client.force_login(practitioner)
    assert client.get(reverse("family_detail", args=[family.pk])).status_code == 200
    assert client.get(reverse("family_edit", args=[family.pk])).status_code == 200
    assert client.get(reverse("family_delete", args=[family.pk])).status_code == 200


def test_a_supervisor_with_an_active_agreement_reads_but_does_not_change(
    client, supervisor, practitioner, family, agreement
):
    client.force_login(supervisor)
    response = client.get(reverse("family_list"))
    assert list(response.context["page"].object_list) == [family]
    response = client.get(reverse("family_detail", args=[family.pk]))
    assert response.status_code == 200
    assert "Speaks Tagalog at home." in text(response)
    assert reverse("family_edit", args=[family.pk]) not in text(response)
    assert "Add a family" not in text(client.get(reverse("family_list")))
    for name in CHANGE_URLS:
        url = reverse(name, args=[family.pk])
        assert (
            client.post(
                url, {**edit_data(family, editor=practitioner, code="CHANGED"), "closed_on": "2026-06-01"}
            ).status_code
            == 404
        )
        if name in {"family_edit", "family_delete"}:
            assert client.get(url).status_code == 404
    family.refresh_from_db()
    assert (family.code, family.closed_on, family.deleted_at) == ("JM-2", None, None)


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [(datetime.date(2025, 1, 1), datetime.date(2026, 6, 14)), (datetime.date(2026, 7, 1), None)],
    ids=["ended-yesterday", "starts-next-month"],
)
def test_a_supervisor_sees_nothing_outside_the_agreements_dates(
    client, supervisor, family, agreement, starts_on, ends_on
):
    agreement.starts_on, agreement.ends_on = starts_on, ends_on
    agreement.save()
    client.force_login(supervisor)
    assert list(client.get(reverse("family_list"), {"state": "all"}).context["page"].object_list) == []
    assert client.get(reverse("family_detail", args=[family.pk])).status_code == 404


def test_the_supervisor_sees_the_families_of_each_supervisee(
    client, organization, supervisor, practitioner, other_practitioner, agreement
):
    mine = make_family(organization, practitioner, code="A-1")
    shared = make_family(organization, practitioner, other_practitioner, code="B-2")
    make_family(organization, other_practitioner, code="C-3")
    client.force_login(supervisor)
    assert list(client.get(reverse("family_list")).context["page"].object_list) == [mine, shared]


# The list.


def test_list_shows_code_context_dates_practitioners_and_childrens_ages(
    client, practitioner, other_practitioner, family
):
    family.practitioners.add(other_practitioner)
    Child.objects.create(family=family, label="Bean", birth_month=month(2026, 8), expected=True)
    client.force_login(practitioner)
    content = text(client.get(reverse("family_list")))
    assert "JM-2" in content
    assert "Home visiting" in content
    assert "opened 10 Jan 2026" in content
    assert "K · 14 months" in content
    assert "Bean · due in 8 weeks" in content
    assert "Pat Practitioner (you), Quinn Practitioner" in content
    assert reverse("family_create") in content


def test_list_filters_by_state_context_and_code(client, organization, practitioner):
    open_one = make_family(organization, practitioner, code="Blue 7", context=Family.Context.CHILD_CARE)
    closed_one = make_family(organization, practitioner, code="JM-2", closed_on=datetime.date(2026, 3, 1))
    other = make_family(organization, practitioner, code="TR", context=Family.Context.CHILD_PROTECTION)
    client.force_login(practitioner)

    def codes(**params):
        response = client.get(reverse("family_list"), params)
        assert response.status_code == 200
        return [family.code for family in response.context["page"].object_list]

    assert codes() == [open_one.code, other.code]
    assert codes(state="closed") == [closed_one.code]
    assert codes(state="all") == ["Blue 7", "JM-2", "TR"]
    assert codes(state="all", q="jm") == ["JM-2"]
    assert codes(q="  blue ") == ["Blue 7"]
    assert codes(context="child_protection") == ["TR"]
    # Nonsense values fall back to the open families rather than failing.
    assert codes(state="everything", context="moon", page="zz") == ["Blue 7", "TR"]
    assert "No family matches that search." in text(client.get(reverse("family_list"), {"q": "nope"}))


def test_list_paginates_25_a_page_and_keeps_the_filters(client, organization, practitioner):
    for number in range(30):
        make_family(organization, practitioner, code=f"F-{number:02}", context=Family.Context.CHILD_CARE)
    client.force_login(practitioner)
    response = client.get(reverse("family_list"), {"context": "child_care", "page": 2})
    assert len(response.context["page"].object_list) == 5
    content = response.content.decode()
    assert "Page 2 of 2" in content
    assert 'href="?context=child_care&amp;page=1"' in content


def test_list_has_a_fixed_number_of_queries(
    client, organization, practitioner, other_practitioner, django_assert_num_queries
):
    def add_families(count, start=0):
        for number in range(start, start + count):
            make_family(
                organization,
                practitioner,
                other_practitioner,
                code=f"F-{number:02}",
                children=[("A", month(2025, 1)), ("B", month(2023, 5))],
            )

    client.force_login(practitioner)
    add_families(1)
    # 1 session, 2 user with organization, 3 count for the paginator, 4 the page of families,
    # 5 their children, 6 their practitioners.
    with django_assert_num_queries(6):
        response = client.get(reverse("family_list"))
    assert len(response.context["page"].object_list) == 1
    add_families(30, start=1)
    with django_assert_num_queries(6):
        response = client.get(reverse("family_list"))
    assert len(response.context["page"].object_list) == 25
    assert text(response).count("Quinn Practitioner") == 25


def test_supervisors_list_has_the_same_fixed_number_of_queries(
    client, organization, supervisor, practitioner, agreement, django_assert_num_queries
):
    for number in range(30):
        make_family(organization, practitioner, code=f"F-{number:02}", children=[("A", month(2025, 1))])
    client.force_login(supervisor)
    # 1 session, 2 user with organization, 3 count, 4 families, 5 children, 6 practitioners.
    with django_assert_num_queries(6):
        response = client.get(reverse("family_list"))
    assert len(response.context["page"].object_list) == 25


# The detail page and its sessions.


def make_session(agreement, *, family=None, starts_at=NOW, participant=None, **fields) -> SupervisionSession:
    session = SupervisionSession.objects.create(
        organization=agreement.organization,
        supervisor=agreement.supervisor,
        agreement=agreement,
        starts_at=starts_at,
        **fields,
    )
    SessionParticipant.objects.create(session=session, user=participant or agreement.supervisee)
    if family is not None:
        AgendaItem.objects.create(session=session, author=agreement.supervisee, family=family)
    return session


def test_detail_shows_the_family_children_caregivers_and_practitioners(client, practitioner, family):
    Caregiver.objects.create(
        family=family, relationship=Caregiver.Relationship.GRANDPARENT, label="G", notes="Line one\nLine <two>"
    )
    client.force_login(practitioner)
    response = client.get(reverse("family_detail", args=[family.pk]))
    content = text(response)
    assert "JM-2" in content
    assert "Home visiting" in content
    assert "open since 10 January 2026" in content
    assert "14 months" in content and "born April 2025" in content
    assert "Mother" in content and "Speaks Tagalog at home." in content
    assert "Grandparent" in content
    assert "Line one<br>Line &lt;two&gt;" in response.content.decode()  # kept as typed, shown as text
    assert "Pat Practitioner" in content
    assert reverse("family_edit", args=[family.pk]) in content


def test_detail_lists_the_sessions_with_this_family_newest_first(client, practitioner, supervisor, family, agreement):
    older = make_session(agreement, family=family, starts_at=NOW - datetime.timedelta(days=14))
    newer = make_session(agreement, family=family, starts_at=datetime.datetime(2026, 6, 1, 20, 30, tzinfo=datetime.UTC))
    make_session(agreement)  # without this family
    make_session(agreement, family=family, deleted_at=NOW)
    # Twice on one agenda, listed once.
    AgendaItem.objects.create(session=newer, author=practitioner, family=family, text="Again")
    practitioner.time_zone = "Pacific/Auckland"
    practitioner.save()

    client.force_login(practitioner)
    response = client.get(reverse("family_detail", args=[family.pk]))
    assert [session for session, _url in response.context["sessions"]] == [newer, older]
    content = text(response)
    # 20:30 UTC is 08:30 the next morning in Auckland.
    assert "Tue 2 Jun 2026, 08:30" in content
    assert reverse("session_detail", args=[newer.pk]) in content
    assert "with Sasha Supervisor" in content
    assert "Scheduled" in content


def test_detail_shows_only_the_sessions_the_reader_may_see(
    client, organization, supervisor, practitioner, other_practitioner, family, agreement, other_supervisor
):
    family.practitioners.add(other_practitioner)
    theirs = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=other_supervisor,
        supervisee=other_practitioner,
        starts_on=datetime.date(2026, 1, 1),
        confidentiality_limits="Mandated reporting applies.",
    )
    mine = make_session(agreement, family=family)
    make_session(theirs, family=family)
    client.force_login(practitioner)
    response = client.get(reverse("family_detail", args=[family.pk]))
    assert [session for session, _url in response.context["sessions"]] == [mine]


def test_session_rows_go_without_links_when_the_session_pages_do_not_exist():
    class SessionWithoutPage:
        def get_absolute_url(self):
            raise NoReverseMatch("session_detail")

    session = SessionWithoutPage()
    assert _session_rows([session]) == [(session, None)]


def test_detail_has_a_fixed_number_of_queries(
    client, organization, practitioner, other_practitioner, family, agreement, django_assert_num_queries
):
    family.practitioners.add(other_practitioner)
    make_session(agreement, family=family)
    client.force_login(practitioner)
    url = reverse("family_detail", args=[family.pk])
    # 1 session, 2 user with organization, 3 the family, 4 its children, 5 its practitioners,
    # 6 its caregivers, 7 the read in the audit trail, 8 the sessions it was on the agenda of, with
    # supervisor, supervisee and group, 9 the reflections about it that the reader may see.
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
    for number in range(30):
        Child.objects.create(family=family, label=f"C{number}", birth_month=month(2024, 1 + number % 12))
        Caregiver.objects.create(family=family, relationship=Caregiver.Relationship.KIN, notes=f"Note {number}")
        make_session(agreement, family=family, starts_at=NOW - datetime.timedelta(days=number))
    with django_assert_num_queries(9):
        response = client.get(url)
    assert len(response.context["sessions"]) == 31


# Adding a family.


def test_practitioner_adds_a_family_with_children_caregivers_and_a_colleague(client, practitioner, other_practitioner):
    client.force_login(practitioner)
    data = form_data(
        colleagues=[other_practitioner.pk],
        **{
            "children-0-label": "K",
            "children-0-birth_month": "2025-04",
            "children-1-label": "Bean",
            "children-1-birth_month": "2026-09",
            "children-1-expected": "on",
            "caregivers-0-relationship": "mother",
            "caregivers-0-label": "M",
            "caregivers-0-notes": "Speaks Spanish and some English.",
        },
    )
    response = client.post(reverse("family_create"), data)
    family = Family.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("family_detail", args=[family.pk])
    assert (family.code, family.context, family.opened_on) == ("JM-2", "early_intervention", datetime.date(2026, 5, 4))
    assert family.organization == practitioner.organization
    assert family.created_by == practitioner
    assert set(family.practitioners.all()) == {practitioner, other_practitioner}
    children = [(child.label, child.birth_month, child.expected) for child in family.children.order_by("pk")]
    assert children == [("K", month(2025, 4), False), ("Bean", month(2026, 9), True)]
    caregiver = family.caregivers.get()
    assert (caregiver.relationship, caregiver.label, caregiver.notes) == (
        "mother",
        "M",
        "Speaks Spanish and some English.",
    )
    assert "Family JM-2 is added." in text(client.get(response["Location"]))


def test_the_form_explains_why_a_code_and_never_a_name(client, practitioner):
    client.force_login(practitioner)
    content = text(client.get(reverse("family_create")))
    assert "Never a name, address or date of birth" in content
    assert 'type="month"' in content
    assert 'value="2026-06-15"' in content  # opened today, in the practitioner's time zone


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("J/M <b>", "Use letters, digits, spaces and hyphens only"),
        ("-JM", "Use letters, digits, spaces and hyphens only"),
        ("", "Give the family a short code"),
        ("A" * 21, "at most 20 characters"),
    ],
)
def test_bad_codes_are_refused_and_nothing_is_saved(client, practitioner, code, message):
    client.force_login(practitioner)
    response = client.post(
        reverse("family_create"), form_data(code=code, **{"children-0-label": "K", "children-0-birth_month": "2025-04"})
    )
    assert response.status_code == 200
    assert message in text(response)
    assert nothing_saved()


def test_a_practitioner_cannot_reuse_one_of_their_codes(client, organization, practitioner, other_practitioner):
    make_family(organization, practitioner, code="JM-2")
    make_family(organization, other_practitioner, code="TR")
    client.force_login(practitioner)
    response = client.post(reverse("family_create"), form_data(code="jm-2"))
    assert "You already have a family with the code" in text(response)
    # Someone else's code is none of their business, and not refused.
    assert client.post(reverse("family_create"), form_data(code="TR")).status_code == 302


def test_the_opening_date_cannot_be_in_the_future(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("family_create"), form_data(opened_on="2026-06-16"))
    assert "can't be in the future" in text(response)
    assert nothing_saved()


@pytest.mark.parametrize("opened_on", ["1996-06-14", "1900-01-01", "0001-01-01"])
def test_an_opening_date_more_than_thirty_years_ago_is_refused(client, practitioner, family, opened_on):
    client.force_login(practitioner)
    Family.objects.filter(pk=family.pk).delete()
    response = client.post(reverse("family_create"), form_data(opened_on=opened_on))
    assert response.status_code == 200
    assert "Check the year: the opening date can't be more than 30 years ago." in text(response)
    assert nothing_saved()


def test_an_edit_to_an_opening_date_more_than_thirty_years_ago_is_refused(client, practitioner, family):
    client.force_login(practitioner)
    response = client.post(
        reverse("family_edit", args=[family.pk]), edit_data(family, editor=practitioner, opened_on="1990-01-01")
    )
    assert response.status_code == 200
    assert "Check the year: the opening date can't be more than 30 years ago." in text(response)
    family.refresh_from_db()
    assert family.opened_on == datetime.date(2026, 1, 10)
    # Thirty years ago to the day is still a date someone may mean.
    response = client.post(
        reverse("family_edit", args=[family.pk]), edit_data(family, editor=practitioner, opened_on="1996-06-15")
    )
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.opened_on == datetime.date(1996, 6, 15)


@pytest.mark.parametrize(
    ("birth_month", "expected", "message"),
    [
        ("2026-07", False, "That month hasn't come yet. For a baby on the way, tick"),
        ("2018-05", False, "up to eight years old"),
        ("2027-05", True, "within the next 10 months"),
        ("2026-04", True, "That month has passed. If the baby has arrived"),
        ("May 2025", False, "Enter the month and year, such as 2024-05."),
        ("2025-13", False, "Enter the month and year"),
        ("", False, "Add the month and year of birth, or the expected month."),
    ],
)
def test_birth_months_are_checked_and_explained(client, practitioner, birth_month, expected, message):
    client.force_login(practitioner)
    row = {"children-0-label": "K", "children-0-birth_month": birth_month}
    if expected:
        row["children-0-expected"] = "on"
    response = client.post(reverse("family_create"), form_data(**row))
    assert response.status_code == 200
    assert message in text(response)
    assert nothing_saved()


@pytest.mark.parametrize(
    ("typed", "expected", "stored"),
    [
        ("2026-06", False, month(2026, 6)),  # born this month
        ("2018-06", False, month(2018, 6)),  # eight years ago
        ("2025-4", False, month(2025, 4)),
        ("04/2025", False, month(2025, 4)),
        ("2026-05", True, month(2026, 5)),  # a little overdue
        ("2027-04", True, month(2027, 4)),  # ten months ahead
    ],
)
def test_birth_months_within_the_rules_are_kept_as_the_first_of_the_month(
    client, practitioner, typed, expected, stored
):
    client.force_login(practitioner)
    row = {"children-0-label": "K", "children-0-birth_month": typed}
    if expected:
        row["children-0-expected"] = "on"
    assert client.post(reverse("family_create"), form_data(**row)).status_code == 302
    child = Child.objects.get()
    assert (child.birth_month, child.expected) == (stored, expected)


def test_a_child_row_needs_a_label_once_anything_is_typed(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("family_create"), form_data(**{"children-2-expected": "on"}))
    assert response.status_code == 200
    assert "Add initials or a nickname for this child." in text(response)
    assert nothing_saved()


@pytest.mark.parametrize("persona", ["stranger", "supervisor", "admin_user"])
def test_only_active_practitioners_of_the_organization_can_be_assigned(client, request, practitioner, persona):
    other = request.getfixturevalue(persona)
    client.force_login(practitioner)
    response = client.post(reverse("family_create"), form_data(colleagues=[other.pk]))
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert nothing_saved()


def test_a_deactivated_practitioner_is_not_offered(client, practitioner, other_practitioner):
    other_practitioner.is_active = False
    other_practitioner.save()
    client.force_login(practitioner)
    assert "Quinn Practitioner" not in text(client.get(reverse("family_create")))
    assert client.post(reverse("family_create"), form_data(colleagues=[other_practitioner.pk])).status_code == 200
    assert nothing_saved()


def test_everything_typed_comes_back_when_something_needs_fixing(client, practitioner):
    client.force_login(practitioner)
    data = form_data(
        code="Bad/code",
        **{
            "children-0-label": "Bean",
            "children-0-birth_month": "2025-02",
            "children-2-label": "Pip",
            "children-2-birth_month": "2024-11",
            "caregivers-0-relationship": "kin",
            "caregivers-0-label": "AB",
            "caregivers-0-notes": "Aunt; “tía” in the family’s words.\nLooks after K on Fridays.",
        },
    )
    response = client.post(reverse("family_create"), data)
    content = text(response)
    assert response.status_code == 200
    assert "A few things need another look" in content
    assert 'value="Bad/code"' in content
    assert 'value="Bean"' in content and 'value="2025-02"' in content
    assert 'value="Pip"' in content and 'value="2024-11"' in content
    # The third row was folded away; it opens because it holds something.
    assert '<details class="mb-2" open>' in content
    assert '<option value="kin" selected>' in content
    assert 'value="AB"' in content
    assert "Aunt; “tía” in the family’s words.\nLooks after K on Fridays.</textarea>" in content
    assert nothing_saved()


def test_a_tampered_management_form_is_refused_without_an_error_page(client, practitioner):
    client.force_login(practitioner)
    data = form_data()
    del data["children-TOTAL_FORMS"]
    response = client.post(reverse("family_create"), data)
    assert response.status_code == 200
    assert nothing_saved()
    response = client.post(reverse("family_create"), form_data(**{"children-TOTAL_FORMS": "5000"}))
    assert response.status_code == 200
    assert nothing_saved()


def test_identifying_details_wait_for_a_gentle_warning_before_saving(client, practitioner):
    client.force_login(practitioner)
    data = form_data(
        **{
            "caregivers-0-relationship": "mother",
            "caregivers-0-notes": "Best reached on 555-201-3344 or at 12 Elm Street.",
        }
    )
    response = client.post(reverse("family_create"), data)
    content = text(response)
    assert response.status_code == 200 and not Family.objects.exists()
    assert "A phone number, in “Language, culture and context”: <q>555-201-3344</q>" in content
    assert "A street address, in “Language, culture and context”: <q>12 Elm Street.</q>" in content
    response = client.post(
        reverse("family_create"),
        {**data, "keep_identifying": "on", "keep_passage": ["555-201-3344", "12 Elm Street."]},
    )
    assert response.status_code == 302 and Family.objects.count() == 1
    # Without such details, no warning.
    response = client.post(reverse("family_create"), form_data(code="TR"))
    assert response.status_code == 302


TYPED_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=60)


class Rollback(Exception):
    pass


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    code=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 \-]{0,19}", fullmatch=True) | TYPED_TEXT,
    label=TYPED_TEXT,
    birth_month=st.sampled_from(["2025-04", "2026-07", "2019-01", "bad", ""]),
    notes=TYPED_TEXT,
)
def test_the_family_form_never_fails_and_keeps_text_as_typed(client, practitioner, code, label, birth_month, notes):
    client.force_login(practitioner)
    data = form_data(
        code=code,
        **{
            "children-0-label": label,
            "children-0-birth_month": birth_month,
            "caregivers-0-relationship": "father",
            "caregivers-0-notes": notes,
        },
    )
    try:
        with transaction.atomic():
            response = client.post(reverse("family_create"), data)
            assert response.status_code in {200, 302}
            if response.status_code == 302:
                family = Family.objects.get()
                assert family.code == code.strip()
                assert family.caregivers.get().notes == notes.strip()
                if label.strip() or birth_month:
                    assert family.children.get().label == label.strip()
                detail = client.get(response["Location"])
                assert detail.status_code == 200
            else:
                assert nothing_saved()
            raise Rollback
    except Rollback:
        pass


# Changing a family.


def test_practitioner_edits_details_children_and_caregivers(
    client, organization, practitioner, other_practitioner, family
):
    family.practitioners.add(other_practitioner)
    # Saved long ago as "expected in April": unchanged, it does not block the edit.
    overdue = Child.objects.create(family=family, label="Bean", birth_month=month(2026, 4), expected=True)
    k = family.children.get(label="K")
    client.force_login(practitioner)
    data = edit_data(family, editor=practitioner, code="JM-3", context="child_care")
    rows = {data[f"children-{index}-id"]: index for index in range(2)}
    data[f"children-{rows[str(k.pk)]}-label"] = "Kay"
    data["caregivers-1-relationship"] = "father"
    data["caregivers-1-notes"] = "Works nights."
    data["colleagues"] = []  # Quinn is no longer on it; the editor always stays.
    response = client.post(reverse("family_edit", args=[family.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    family.refresh_from_db()
    assert (family.code, family.context) == ("JM-3", "child_care")
    assert list(family.practitioners.all()) == [practitioner]
    assert sorted(family.children.values_list("label", flat=True)) == ["Bean", "Kay"]
    overdue.refresh_from_db()
    assert overdue.expected and overdue.birth_month == month(2026, 4)
    assert sorted(family.caregivers.values_list("relationship", flat=True)) == ["father", "mother"]


def test_practitioner_removes_a_child(client, practitioner, family):
    client.force_login(practitioner)
    response = client.post(
        reverse("family_edit", args=[family.pk]), edit_data(family, editor=practitioner, **{"children-0-DELETE": "on"})
    )
    assert response.status_code == 302
    assert not family.children.exists()
    assert family.caregivers.count() == 1


def test_the_edit_form_shows_what_is_stored(client, practitioner, other_practitioner, family):
    family.practitioners.add(other_practitioner)
    client.force_login(practitioner)
    content = text(client.get(reverse("family_edit", args=[family.pk])))
    assert 'value="JM-2"' in content
    assert 'value="2025-04"' in content
    assert "Speaks Tagalog at home.</textarea>" in content
    assert re.search(rf'<input [^>]*value="{other_practitioner.pk}"[^>]* checked>', content)
    assert "Remove from this record" in content


def test_a_child_of_another_family_cannot_be_changed_through_this_one(client, organization, practitioner, family):
    other = make_family(organization, practitioner, code="TR", children=[("Z", month(2024, 1))])
    theirs = other.children.get()
    client.force_login(practitioner)
    data = edit_data(family, editor=practitioner, **{"children-0-id": str(theirs.pk), "children-0-label": "Hijacked"})
    client.post(reverse("family_edit", args=[family.pk]), data)
    theirs.refresh_from_db()
    assert (theirs.label, theirs.family) == ("Z", other)


def test_editing_keeps_the_opening_date_on_or_before_the_closing_date(client, practitioner, family):
    family.closed_on = datetime.date(2026, 3, 1)
    family.save()
    client.force_login(practitioner)
    response = client.post(
        reverse("family_edit", args=[family.pk]), edit_data(family, editor=practitioner, opened_on="2026-04-01")
    )
    assert response.status_code == 200
    assert "the opening date has to be on or before that" in text(response)
    family.refresh_from_db()
    assert family.opened_on == datetime.date(2026, 1, 10)


def test_edit_errors_keep_what_was_typed(client, practitioner, family):
    client.force_login(practitioner)
    data = edit_data(family, editor=practitioner, code="", **{"caregivers-0-notes": "Changed, not yet saved."})
    response = client.post(reverse("family_edit", args=[family.pk]), data)
    assert response.status_code == 200
    assert "Changed, not yet saved.</textarea>" in text(response)
    assert family.caregivers.get().notes == "Speaks Tagalog at home."


# Closing, reopening, deleting and restoring.


def test_closing_keeps_everything_and_reopening_brings_it_back(client, practitioner, family):
    client.force_login(practitioner)
    assert 'value="2026-06-15"' in text(client.get(reverse("family_detail", args=[family.pk])))
    response = client.post(reverse("family_close", args=[family.pk]), {"closed_on": "2026-06-01"})
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.closed_on == datetime.date(2026, 6, 1)
    assert family.children.count() == 1 and family.caregivers.count() == 1
    assert list(client.get(reverse("family_list")).context["page"].object_list) == []
    assert "Reopen family" in text(client.get(reverse("family_detail", args=[family.pk])))

    assert client.post(reverse("family_reopen", args=[family.pk])).status_code == 302
    family.refresh_from_db()
    assert family.closed_on is None
    assert list(client.get(reverse("family_list")).context["page"].object_list) == [family]


@pytest.mark.parametrize(
    ("closed_on", "message"),
    [
        ("2026-01-09", "the closing date can't be earlier than that"),
        ("2026-06-16", "The closing date can't be in the future."),
        ("someday", "Enter a valid date."),
        ("", "Enter the day the work ended."),
    ],
)
def test_closing_dates_are_checked(client, practitioner, family, closed_on, message):
    client.force_login(practitioner)
    response = client.post(reverse("family_close", args=[family.pk]), {"closed_on": closed_on})
    assert response.status_code == 400
    assert message in text(response)
    family.refresh_from_db()
    assert family.closed_on is None


def test_closing_on_the_opening_day_is_fine(client, practitioner, family):
    client.force_login(practitioner)
    client.post(reverse("family_close", args=[family.pk]), {"closed_on": "2026-01-10"})
    family.refresh_from_db()
    assert family.closed_on == datetime.date(2026, 1, 10)


def test_closing_records_when_it_really_happened_and_by_whom_and_reopening_clears_it(
    client, practitioner, other_practitioner, family
):
    family.practitioners.add(other_practitioner)
    client.force_login(practitioner)
    # However early the closing date typed, retention counts from the moment of closing.
    client.post(reverse("family_close", args=[family.pk]), {"closed_on": "2026-01-10"})
    family.refresh_from_db()
    assert (family.closed_on, family.closed_at, family.closed_by) == (datetime.date(2026, 1, 10), NOW, practitioner)
    client.force_login(other_practitioner)
    client.post(reverse("family_reopen", args=[family.pk]))
    family.refresh_from_db()
    assert (family.closed_on, family.closed_at, family.closed_by) == (None, None, None)


def test_a_closing_date_more_than_thirty_years_ago_is_refused(client, organization, practitioner):
    # A family recorded before the dates were checked.
    family = make_family(organization, practitioner, opened_on=datetime.date(1980, 3, 1))
    client.force_login(practitioner)
    response = client.post(reverse("family_close", args=[family.pk]), {"closed_on": "1985-01-01"})
    assert response.status_code == 400
    assert "Check the year: the closing date can't be more than 30 years ago." in text(response)
    family.refresh_from_db()
    assert (family.closed_on, family.closed_at, family.closed_by) == (None, None, None)


def admin_family_post(family: Family, **overrides) -> dict:
    data = {
        "organization": family.organization_id,
        "code": family.code,
        "context": family.context,
        "opened_on": family.opened_on.isoformat(),
        "closed_on": family.closed_on.isoformat() if family.closed_on else "",
        "practitioners": [person.pk for person in family.practitioners.all()],
    }
    data.update(overrides)
    return data


def test_closing_in_the_django_admin_counts_from_then_like_closing_in_the_app(client, family):
    operator = User.objects.create_superuser(email="ops@rsc.example", password="op-password-123", full_name="Ops")
    client.force_login(operator)
    url = f"/admin/rsc/family/{family.pk}/change/"
    assert client.post(url, admin_family_post(family, closed_on="2026-01-11")).status_code == 302
    family.refresh_from_db()
    assert (family.closed_on, family.closed_at, family.closed_by) == (datetime.date(2026, 1, 11), NOW, operator)
    # Backdating the closing date later starts the count again, from now.
    later = NOW + datetime.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        client.force_login(operator)
        assert client.post(url, admin_family_post(family, closed_on="2026-01-10")).status_code == 302
        family.refresh_from_db()
        assert (family.closed_on, family.closed_at) == (datetime.date(2026, 1, 10), later)
        # A change of something else leaves the moment of closing alone.
        assert client.post(url, admin_family_post(family, code="JM-3")).status_code == 302
        family.refresh_from_db()
        assert (family.code, family.closed_at) == ("JM-3", later)
        assert client.post(url, admin_family_post(family, closed_on="")).status_code == 302
    family.refresh_from_db()
    assert (family.closed_on, family.closed_at, family.closed_by) == (None, None, None)


def test_a_deleted_family_disappears_everywhere(client, practitioner, supervisor, agreement, family):
    client.force_login(practitioner)
    assert "Delete JM-2?" in text(client.get(reverse("family_delete", args=[family.pk])))
    response = client.post(reverse("family_delete", args=[family.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("family_list")
    family.refresh_from_db()
    assert family.deleted_at == NOW and family.deleted_by == practitioner
    for person in (practitioner, supervisor):
        client.force_login(person)
        assert list(client.get(reverse("family_list"), {"state": "all"}).context["page"].object_list) == []
        for name in FAMILY_URLS:
            url = reverse(name, args=[family.pk])
            assert client.get(url).status_code in {404, 405}
            assert client.post(url, {"closed_on": "2026-06-01"}).status_code in {404, 405}


def test_the_administrator_sees_only_metadata_of_deleted_families_and_restores_them(
    client, admin_user, practitioner, family
):
    client.force_login(practitioner)
    client.post(reverse("family_delete", args=[family.pk]))
    client.force_login(admin_user)
    response = client.get(reverse("family_deleted_list"))
    content = text(response)
    assert list(response.context["page"].object_list) == [family]
    assert "JM-2" in content and "15 Jun 2026" in content and "by Pat Practitioner" in content
    assert "Speaks Tagalog" not in content and "14 months" not in content
    assert f'href="{reverse("family_detail", args=[family.pk])}"' not in content

    response = client.post(reverse("family_restore", args=[family.pk]))
    assert response.status_code == 302
    family.refresh_from_db()
    assert (family.deleted_at, family.deleted_by) == (None, None)
    # Restored, it is back for its practitioner, and still closed to the administrator.
    assert client.get(reverse("family_detail", args=[family.pk])).status_code == 404
    client.force_login(practitioner)
    assert client.get(reverse("family_detail", args=[family.pk])).status_code == 200


def test_the_deleted_list_has_a_fixed_number_of_queries(
    client, organization, admin_user, practitioner, django_assert_num_queries
):
    for number in range(30):
        make_family(organization, practitioner, code=f"F-{number:02}", deleted_at=NOW, deleted_by=practitioner)
    client.force_login(admin_user)
    # 1 session, 2 user with organization, 3 count, 4 the page of families with who deleted them.
    with django_assert_num_queries(4):
        response = client.get(reverse("family_deleted_list"))
    assert len(response.context["page"].object_list) == 25


@pytest.mark.parametrize("persona", ["practitioner", "supervisor", "stranger", "stranger_admin"])
def test_only_the_organizations_administrators_restore(client, request, persona, family, practitioner, agreement):
    family.deleted_at, family.deleted_by = NOW, practitioner
    family.save()
    client.force_login(request.getfixturevalue(persona))
    listing = client.get(reverse("family_deleted_list"))
    if persona == "stranger_admin":
        assert listing.status_code == 200 and list(listing.context["page"].object_list) == []
    else:
        assert listing.status_code == 404
    assert client.post(reverse("family_restore", args=[family.pk])).status_code == 404
    family.refresh_from_db()
    assert family.deleted_at is not None


def test_restore_answers_404_for_a_family_that_is_not_deleted_and_405_to_get(client, admin_user, family):
    client.force_login(admin_user)
    assert client.post(reverse("family_restore", args=[family.pk])).status_code == 404
    assert client.get(reverse("family_restore", args=[family.pk])).status_code == 405
    assert client.post(reverse("family_deleted_list")).status_code == 405


# Ages.


@pytest.mark.parametrize(
    ("birth_month", "expected", "on", "text"),
    [
        (month(2026, 6), False, datetime.date(2026, 6, 20), "newborn"),
        (month(2026, 5), False, datetime.date(2026, 6, 1), "1 month"),
        (month(2025, 4), False, datetime.date(2026, 6, 15), "14 months"),
        (month(2024, 6), False, datetime.date(2026, 6, 15), "2 years"),
        (month(2024, 3), False, datetime.date(2026, 6, 15), "2 years 3 months"),
        (month(2026, 8), True, datetime.date(2026, 7, 4), "due in 6 weeks"),
        (month(2026, 8), True, datetime.date(2026, 8, 12), "due now"),
    ],
)
def test_child_age_reads_the_way_people_say_it(birth_month, expected, on, text):
    assert Child(label="K", birth_month=birth_month, expected=expected).age_text(on=on) == text


def test_child_age_follows_the_calendar_without_a_date(client):
    child = Child(label="K", birth_month=month(2025, 4))
    assert child.age_text() == "14 months"
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=CHICAGO)):
        assert child.age_text() == "15 months"


# Truthful marks on the rows, and a first name as a label --------------------------------------


def fieldset_of(content: str, legend: str) -> str:
    """The HTML of the row whose legend is `legend`."""
    start = content.index(f">{legend}</legend>")
    return content[start : content.index("</fieldset>", start)]


def test_blank_rows_mark_nothing_required_and_the_page_says_what_a_row_needs(client, practitioner, family):
    client.force_login(practitioner)
    content = text(client.get(reverse("family_create")))
    for legend in ["Child 1 (optional)", "Caregiver 1 (optional)"]:
        assert "asteriskField" not in fieldset_of(content, legend)
    assert "For each child you add, both the initials or nickname and the birth month are needed." in content
    assert "For each caregiver you add, the relationship is needed; the rest is optional." in content
    # The family's own fields are needed, and say so.
    code = content[content.index('for="id_code"') : content.index('name="code"')]
    assert "asteriskField" in code
    # A child already on record keeps its marks: its label and birth month are needed.
    content = text(client.get(reverse("family_edit", args=[family.pk])))
    assert fieldset_of(content, "Child: K").count("asteriskField") == 2
    assert "asteriskField" not in fieldset_of(content, "Child 2 (optional)")
    # Once something is typed in a row, what the page said is needed is asked for.
    for row, message in [
        ({"children-1-birth_month": "2025-02"}, "Add initials or a nickname for this child."),
        ({"children-1-label": "Bean"}, "Add the month and year of birth, or the expected month."),
        ({"caregivers-1-notes": "Grandmother on weekends."}, "Choose how this caregiver is related to the child."),
    ]:
        response = client.post(reverse("family_create"), form_data(code="NEW-1", **row))
        assert response.status_code == 200
        assert message in text(response)
        assert not Family.objects.filter(code="NEW-1").exists()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"children-0-label": "Sofia", "children-0-birth_month": "2025-02"}, "Initials or nickname"),
        ({"children-0-label": "jamal.", "children-0-birth_month": "2025-02"}, "Initials or nickname"),
        ({"caregivers-0-relationship": "mother", "caregivers-0-label": "Maria"}, "Initials (optional)"),
    ],
)
def test_a_label_that_is_a_first_name_gets_the_gentle_warning(client, practitioner, row, field):
    client.force_login(practitioner)
    response = client.post(reverse("family_create"), form_data(**row))
    content = text(response)
    assert response.status_code == 200 and nothing_saved()
    label = next(value for name, value in row.items() if name.endswith("-label"))
    assert f"A first name, in “{field}”: <q>{label}</q>" in content
    assert "A few things need another look" not in content
    kept = {**form_data(**row), "keep_identifying": "on", "keep_passage": [label]}
    assert client.post(reverse("family_create"), kept).status_code == 302
    family = Family.objects.get()
    # Kept once, it is not pointed out again on the next edit.
    response = client.post(reverse("family_edit", args=[family.pk]), edit_data(family, editor=practitioner))
    assert response.status_code == 302


@pytest.mark.parametrize("label", ["K", "Bean", "Baby J", "JM", "Rose", "Sofia Lopez"])
def test_initials_nicknames_and_ordinary_words_are_not_taken_for_a_first_name(label):
    from rsc.deidentify import label_is_a_first_name

    # "Sofia Lopez" is not just a first name: the full-name check points it out instead.
    assert not label_is_a_first_name(label)


@pytest.mark.parametrize("label", ["Sofia", "sofia", " Jamal ", "Mohamed.", "XAVIER"])
def test_a_common_first_name_is_one_in_any_case(label):
    from rsc.deidentify import label_is_a_first_name

    assert label_is_a_first_name(label)
