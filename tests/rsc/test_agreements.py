import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rsc.forms.agreements import limits_digest
from rsc.models import SupervisionAgreement
from tests.conftest import make_person, mark_reauthenticated

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
LIMITS = "What we discuss stays between us.\n\nExcept: mandated reporting & imminent risk <always>."


def make_agreement(supervisor, supervisee, **fields) -> SupervisionAgreement:
    today = timezone.localdate()
    values = {
        "organization": supervisor.organization,
        "starts_on": today - datetime.timedelta(days=30),
        "confidentiality_limits": LIMITS,
    }
    values.update(fields)
    return SupervisionAgreement.objects.create(supervisor=supervisor, supervisee=supervisee, **values)


@pytest.fixture
def agreement(supervisor, practitioner):
    return make_agreement(supervisor, practitioner)


def form_data(supervisor, supervisee, **overrides) -> dict:
    data = {
        "supervisor": supervisor.pk,
        "supervisee": supervisee.pk,
        "starts_on": "2026-03-02",
        "ends_on": "",
        "format": "individual",
        "cadence": "fortnightly",
        "usual_minutes": "60",
        "counts_toward_endorsement": "on",
        "confidentiality_limits": LIMITS,
    }
    data.update(overrides)
    return data


def terms_data(agreement, **overrides) -> dict:
    data = {
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat() if agreement.ends_on else "",
        "format": agreement.format,
        "cadence": agreement.cadence,
        "usual_minutes": str(agreement.usual_minutes),
        "counts_toward_endorsement": "on" if agreement.counts_toward_endorsement else "",
        "confidentiality_limits": agreement.confidentiality_limits,
        "emergency_contact": agreement.emergency_contact,
    }
    data.update(overrides)
    return data


def sign_in(client, person):
    client.force_login(person)
    mark_reauthenticated(client, person)
    return client


def acknowledge(client, agreement):
    return client.post(
        reverse("agreement_acknowledge", args=[agreement.pk]),
        {"seen": limits_digest(agreement.confidentiality_limits)},
    )


# Who may open what ------------------------------------------------------------------

ADMIN_PAGES = ["agreement_list", "agreement_create"]
ADMIN_AGREEMENT_PAGES = ["agreement_edit", "agreement_end"]
EVERY_PAGE = [
    *ADMIN_PAGES,
    "agreement_mine",
    *ADMIN_AGREEMENT_PAGES,
    "agreement_detail",
    "agreement_acknowledge",
]


def url_for(name, agreement):
    return reverse(name) if name in {*ADMIN_PAGES, "agreement_mine"} else reverse(name, args=[agreement.pk])


@pytest.mark.parametrize("name", EVERY_PAGE)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, agreement, name, method):
    response = getattr(client, method)(url_for(name, agreement))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "persona", ["supervisor", "practitioner", "other_practitioner", "other_supervisor", "stranger"]
)
@pytest.mark.parametrize("name", ADMIN_PAGES + ADMIN_AGREEMENT_PAGES)
def test_administration_pages_answer_404_to_everyone_but_administrators(client, request, agreement, persona, name):
    sign_in(client, request.getfixturevalue(persona))
    url = url_for(name, agreement)
    assert client.get(url).status_code == 404
    assert client.post(url, terms_data(agreement, ends_on="2000-01-01", usual_minutes="15")).status_code == 404
    assert SupervisionAgreement.objects.get() == agreement
    agreement.refresh_from_db()
    assert agreement.ends_on is None and agreement.usual_minutes == 60


@pytest.mark.parametrize("name", ["agreement_detail", *ADMIN_AGREEMENT_PAGES])
def test_another_organizations_administrator_finds_nothing(client, stranger_admin, agreement, name):
    sign_in(client, stranger_admin)
    url = reverse(name, args=[agreement.pk])
    assert client.get(url).status_code == (405 if name == "agreement_end" else 404)
    assert client.post(url, terms_data(agreement, usual_minutes="15")).status_code == (
        405 if name == "agreement_detail" else 404
    )
    agreement.refresh_from_db()
    assert agreement.usual_minutes == 60 and agreement.ends_on is None


def test_another_organizations_administrator_lists_only_their_own_agreements(client, stranger_admin, agreement):
    sign_in(client, stranger_admin)
    response = client.get(reverse("agreement_list"), {"status": "all"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "Sasha Supervisor" not in response.content.decode()


@pytest.mark.parametrize("persona", ["other_practitioner", "other_supervisor", "stranger", "stranger_admin"])
def test_people_outside_the_agreement_cannot_read_it(client, request, agreement, persona):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(reverse("agreement_detail", args=[agreement.pk])).status_code == 404
    assert agreement not in client.get(reverse("agreement_mine")).context["current"]


@pytest.mark.parametrize("persona", ["admin_user", "supervisor", "practitioner"])
def test_the_administrator_and_both_people_read_the_agreement(client, request, agreement, persona):
    sign_in(client, request.getfixturevalue(persona))
    response = client.get(reverse("agreement_detail", args=[agreement.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sasha Supervisor" in content and "Pat Practitioner" in content
    # Line breaks kept, markup escaped.
    escaped = "What we discuss stays between us.<br><br>Except: mandated reporting &amp; imminent risk &lt;always&gt;."
    assert escaped in content
    # Only the administrator is offered the changes.
    assert (reverse("agreement_edit", args=[agreement.pk]) in content) == (persona == "admin_user")
    assert (reverse("agreement_end", args=[agreement.pk]) in content) == (persona == "admin_user")
    assert (reverse("agreement_acknowledge", args=[agreement.pk]) in content) == (persona != "admin_user")


@pytest.mark.parametrize(
    "persona", ["admin_user", "other_practitioner", "other_supervisor", "stranger", "stranger_admin"]
)
def test_only_the_two_people_can_acknowledge(client, request, agreement, persona):
    sign_in(client, request.getfixturevalue(persona))
    assert acknowledge(client, agreement).status_code == 404
    agreement.refresh_from_db()
    assert agreement.supervisor_acknowledged_at is None and agreement.supervisee_acknowledged_at is None


def test_pages_refuse_the_wrong_method(admin_client, client, agreement, practitioner):
    assert admin_client.post(reverse("agreement_list")).status_code == 405
    assert admin_client.put(reverse("agreement_create")).status_code == 405
    assert admin_client.post(reverse("agreement_detail", args=[agreement.pk])).status_code == 405
    assert admin_client.put(reverse("agreement_edit", args=[agreement.pk])).status_code == 405
    assert admin_client.get(reverse("agreement_end", args=[agreement.pk])).status_code == 405
    assert admin_client.post(reverse("agreement_mine")).status_code == 405
    sign_in(client, practitioner)
    assert client.get(reverse("agreement_acknowledge", args=[agreement.pk])).status_code == 405
    agreement.refresh_from_db()
    assert agreement.supervisee_acknowledged_at is None


def test_mine_is_not_mistaken_for_an_agreement_id():
    assert reverse("agreement_mine") == "/agreements/mine/"


# Which agreements are active --------------------------------------------------------


def test_an_agreement_is_active_from_its_first_day_to_its_last_day_inclusive(supervisor, practitioner):
    agreement = make_agreement(
        supervisor, practitioner, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 31)
    )
    active = SupervisionAgreement.objects.active

    assert agreement not in active(on=datetime.date(2026, 2, 28))  # upcoming
    assert agreement in active(on=datetime.date(2026, 3, 1))
    assert agreement in active(on=datetime.date(2026, 3, 31))  # the end date still counts
    assert agreement not in active(on=datetime.date(2026, 4, 1))  # ended


def test_an_agreement_without_end_date_stays_active(supervisor, practitioner):
    agreement = make_agreement(supervisor, practitioner, starts_on=datetime.date(2026, 3, 1))
    assert agreement in SupervisionAgreement.objects.active(on=datetime.date(2036, 3, 1))


def test_active_without_a_date_means_today(supervisor, practitioner):
    agreement = make_agreement(
        supervisor, practitioner, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 3, 31)
    )
    with time_machine.travel(datetime.datetime(2026, 3, 31, 23, 30, tzinfo=CHICAGO), tick=False):
        assert agreement in SupervisionAgreement.objects.active()
    with time_machine.travel(datetime.datetime(2026, 4, 1, 0, 30, tzinfo=CHICAGO), tick=False):
        assert agreement not in SupervisionAgreement.objects.active()


def test_the_list_filters_by_status_on_the_administrators_today(admin_client, supervisor, practitioner):
    upcoming = make_agreement(supervisor, practitioner, starts_on=datetime.date(2026, 6, 1))
    active = make_agreement(
        supervisor, practitioner, starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 5, 15)
    )
    ended = make_agreement(
        supervisor, practitioner, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 2, 28)
    )

    def listed(**params):
        return list(admin_client.get(reverse("agreement_list"), params).context["page"].object_list)

    with time_machine.travel(datetime.datetime(2026, 5, 15, 12, tzinfo=CHICAGO), tick=False):
        assert listed() == [active]  # active is the default
        assert listed(status="active") == [active]
        assert listed(status="upcoming") == [upcoming]
        assert listed(status="ended") == [ended]
        assert listed(status="all") == [upcoming, active, ended]
        assert listed(status="nonsense") == [active]
    with time_machine.travel(datetime.datetime(2026, 5, 16, 12, tzinfo=CHICAGO), tick=False):
        assert listed() == []
        assert listed(status="ended") == [active, ended]


def test_the_list_searches_both_people_by_name_or_email(
    admin_client, supervisor, practitioner, other_practitioner, other_supervisor
):
    first = make_agreement(supervisor, practitioner)
    second = make_agreement(other_supervisor, other_practitioner)

    def listed(query):
        return list(admin_client.get(reverse("agreement_list"), {"q": query}).context["page"].object_list)

    assert listed("sasha") == [first]
    assert listed("QUINN@riverbend") == [second]
    assert listed("practitioner") == [first, second]
    assert listed("nobody") == []


def test_the_list_shows_terms_dates_and_who_still_has_to_acknowledge(admin_client, supervisor, practitioner):
    agreement = make_agreement(
        supervisor, practitioner, starts_on=datetime.date(2026, 1, 5), cadence="weekly", usual_minutes=90
    )
    content = admin_client.get(reverse("agreement_list")).content.decode()
    assert "Individual · every week · 90 minutes" in content
    assert "From 5 Jan 2026, no end set" in content
    assert "Waiting for both" in content

    agreement.supervisor_acknowledged_at = timezone.now()
    agreement.save()
    assert "Waiting for Pat Practitioner" in admin_client.get(reverse("agreement_list")).content.decode()
    agreement.supervisee_acknowledged_at = timezone.now()
    agreement.save()
    assert "Acknowledged by both" in admin_client.get(reverse("agreement_list")).content.decode()


def test_the_list_has_a_fixed_number_of_queries(
    admin_client, organization, supervisor, practitioner, django_assert_num_queries
):
    make_agreement(supervisor, practitioner)
    # 1 session, 2 user with organization, 3 count for the paginator, 4 the page with both people.
    with django_assert_num_queries(4):
        response = admin_client.get(reverse("agreement_list"))
    assert len(response.context["page"].object_list) == 1

    for number in range(30):
        supervisee = make_person(organization, f"p{number}@riverbend.example", f"Person {number:02}", "practitioner")
        make_agreement(supervisor, supervisee)
    with django_assert_num_queries(4):
        response = admin_client.get(reverse("agreement_list"))
    assert len(response.context["page"].object_list) == 25
    assert "Page 1 of 2" in response.content.decode()


# Setting up an agreement ------------------------------------------------------------


def test_the_form_starts_from_the_organizations_confidentiality_text(admin_client, organization):
    organization.confidentiality_limits = "Our agency's own wording.\nSecond line."
    organization.save()
    response = admin_client.get(reverse("agreement_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["confidentiality_limits"].value() == "Our agency's own wording.\nSecond line."
    assert form["starts_on"].value() == timezone.localdate()


def test_the_form_offers_only_active_people_of_the_organization(
    admin_client, supervisor, practitioner, other_supervisor, stranger_supervisor, admin_user
):
    other_supervisor.is_active = False
    other_supervisor.save()
    form = admin_client.get(reverse("agreement_create")).context["form"]
    assert list(form.fields["supervisor"].queryset) == [supervisor]
    assert list(form.fields["supervisee"].queryset) == [practitioner, supervisor]


def test_administrator_sets_up_an_agreement_that_waits_for_both_people(
    admin_client, admin_user, organization, supervisor, practitioner
):
    response = admin_client.post(
        reverse("agreement_create"),
        form_data(
            supervisor,
            practitioner,
            ends_on="2026-12-31",
            format="group",
            cadence="monthly",
            usual_minutes="120",
            counts_toward_endorsement="",
        ),
    )
    agreement = SupervisionAgreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agreement_detail", args=[agreement.pk])
    assert agreement.organization == organization
    assert agreement.created_by == admin_user
    assert (agreement.supervisor, agreement.supervisee) == (supervisor, practitioner)
    assert (agreement.starts_on, agreement.ends_on) == (datetime.date(2026, 3, 2), datetime.date(2026, 12, 31))
    assert (agreement.format, agreement.cadence, agreement.usual_minutes) == ("group", "monthly", 120)
    assert not agreement.counts_toward_endorsement
    assert agreement.supervisor_acknowledged_at is None and agreement.supervisee_acknowledged_at is None
    assert mail.outbox == []


def test_the_confidentiality_text_round_trips_unchanged(admin_client, supervisor, practitioner):
    text = "Line one — «accents» é ü 日本.\n\n  Indented <b>not bold</b> & 'quotes' \"too\".\nLast line."
    admin_client.post(reverse("agreement_create"), form_data(supervisor, practitioner, confidentiality_limits=text))
    agreement = SupervisionAgreement.objects.get()
    assert agreement.confidentiality_limits == text
    # Sent back unchanged by the edit form, it stays the same and nobody needs to acknowledge again.
    agreement.supervisee_acknowledged_at = timezone.now()
    agreement.save()
    response = admin_client.get(reverse("agreement_edit", args=[agreement.pk]))
    assert response.context["form"]["confidentiality_limits"].value() == text
    admin_client.post(reverse("agreement_edit", args=[agreement.pk]), terms_data(agreement))
    agreement.refresh_from_db()
    assert agreement.confidentiality_limits == text
    assert agreement.supervisee_acknowledged_at is not None


def test_windows_line_breaks_are_stored_as_plain_line_breaks(admin_client, supervisor, practitioner):
    admin_client.post(
        reverse("agreement_create"), form_data(supervisor, practitioner, confidentiality_limits="One.\r\nTwo.")
    )
    assert SupervisionAgreement.objects.get().confidentiality_limits == "One.\nTwo."


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("stranger_supervisor", "Choose a supervisor from the list"),
        ("deactivated_supervisor", "Choose a supervisor from the list"),
        ("practitioner", "Choose a supervisor from the list"),
        ("admin_user", "Choose a supervisor from the list"),
    ],
)
def test_only_active_supervisors_of_the_organization_can_be_the_supervisor(
    admin_client, request, other_supervisor, practitioner, who, error
):
    if who == "deactivated_supervisor":
        other_supervisor.is_active = False
        other_supervisor.save()
        person = other_supervisor
    else:
        person = request.getfixturevalue(who)
    response = admin_client.post(reverse("agreement_create"), form_data(person, practitioner))
    assert response.status_code == 200
    assert error in response.context["form"].errors["supervisor"][0]
    assert error in response.content.decode()
    assert not SupervisionAgreement.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "deactivated", "admin_only"])
def test_only_active_practitioners_and_supervisors_of_the_organization_can_be_supervised(
    admin_client, request, organization, supervisor, other_practitioner, who
):
    if who == "stranger":
        person = request.getfixturevalue("stranger")
    elif who == "deactivated":
        other_practitioner.is_active = False
        other_practitioner.save()
        person = other_practitioner
    else:
        person = make_person(organization, "office@riverbend.example", "Office Only", User.Role.ADMINISTRATOR)
    response = admin_client.post(reverse("agreement_create"), form_data(supervisor, person))
    assert response.status_code == 200
    assert "Choose a supervisee from the list" in response.context["form"].errors["supervisee"][0]
    assert not SupervisionAgreement.objects.exists()


def test_nobody_supervises_themselves(admin_client, supervisor):
    response = admin_client.post(reverse("agreement_create"), form_data(supervisor, supervisor))
    assert response.context["form"].errors["supervisee"] == ["Choose someone other than the supervisor."]
    assert not SupervisionAgreement.objects.exists()


def test_a_supervisor_can_be_supervised_by_another_supervisor(admin_client, supervisor, other_supervisor):
    response = admin_client.post(reverse("agreement_create"), form_data(other_supervisor, supervisor))
    assert response.status_code == 302
    assert SupervisionAgreement.objects.get().supervisee == supervisor


def test_fields_the_form_does_not_offer_are_ignored(
    admin_client, admin_user, organization, other_organization, supervisor, practitioner, stranger_admin
):
    admin_client.post(
        reverse("agreement_create"),
        form_data(
            supervisor,
            practitioner,
            organization=other_organization.pk,
            organization_id=other_organization.pk,
            created_by=stranger_admin.pk,
            supervisor_acknowledged_at="2026-01-01T00:00:00Z",
            supervisee_acknowledged_at="2026-01-01T00:00:00Z",
        ),
    )
    agreement = SupervisionAgreement.objects.get()
    assert agreement.organization == organization
    assert agreement.created_by == admin_user
    assert agreement.supervisor_acknowledged_at is None and agreement.supervisee_acknowledged_at is None


@pytest.mark.parametrize(("minutes", "saved"), [("14", False), ("15", True), ("240", True), ("241", False)])
def test_usual_length_is_between_a_quarter_hour_and_four_hours(admin_client, supervisor, practitioner, minutes, saved):
    admin_client.post(reverse("agreement_create"), form_data(supervisor, practitioner, usual_minutes=minutes))
    assert SupervisionAgreement.objects.exists() == saved


def test_invalid_input_saves_nothing_and_keeps_what_was_typed(admin_client, supervisor, practitioner):
    text = "Kept exactly <as typed>.\n\nSecond paragraph."
    response = admin_client.post(
        reverse("agreement_create"),
        form_data(supervisor, practitioner, starts_on="2026-03-10", ends_on="2026-03-09", confidentiality_limits=text),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == ["The end date cannot be before the start date."]
    assert not SupervisionAgreement.objects.exists()
    content = response.content.decode()
    assert "Kept exactly &lt;as typed&gt;.\n\nSecond paragraph.</textarea>" in content


def years_from_today(years: int) -> str:
    today = timezone.localdate()
    return today.replace(year=today.year + years, day=min(today.day, 28)).isoformat()


@pytest.mark.parametrize(
    ("field", "years", "what"),
    [("starts_on", -31, "the start date"), ("starts_on", 31, "the start date"), ("ends_on", 31, "the end date")],
)
def test_dates_more_than_thirty_years_away_are_refused_and_nothing_is_saved(
    admin_client, supervisor, practitioner, agreement, field, years, what
):
    message = f"Check the year: {what} has to be within 30 years of today."
    response = admin_client.post(
        reverse("agreement_create"), form_data(supervisor, practitioner, **{field: years_from_today(years)})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert SupervisionAgreement.objects.count() == 1

    response = admin_client.post(
        reverse("agreement_edit", args=[agreement.pk]), terms_data(agreement, **{field: years_from_today(years)})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert SupervisionAgreement.objects.get().starts_on == agreement.starts_on
    assert SupervisionAgreement.objects.get().ends_on is None


def test_an_agreement_cannot_end_more_than_thirty_years_from_now(admin_client, agreement):
    response = admin_client.post(reverse("agreement_end", args=[agreement.pk]), {"ends_on": years_from_today(31)})
    assert response.status_code == 400
    assert "Check the year: the last day has to be within 30 years of today." in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.ends_on is None


def test_a_pair_cannot_have_two_agreements_at_the_same_time(admin_client, supervisor, practitioner):
    make_agreement(supervisor, practitioner, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 3, 1))
    response = admin_client.post(
        reverse("agreement_create"), form_data(supervisor, practitioner, starts_on="2026-03-01")
    )
    assert "already have an agreement for some of these dates" in response.content.decode()
    assert SupervisionAgreement.objects.count() == 1
    # The day after the first one ends is fine.
    response = admin_client.post(
        reverse("agreement_create"), form_data(supervisor, practitioner, starts_on="2026-03-02")
    )
    assert response.status_code == 302
    assert SupervisionAgreement.objects.count() == 2


def test_changed_dates_cannot_overlap_another_agreement_of_the_same_pair(admin_client, supervisor, practitioner):
    make_agreement(supervisor, practitioner, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 3, 1))
    later = make_agreement(supervisor, practitioner, starts_on=datetime.date(2026, 4, 1))
    response = admin_client.post(reverse("agreement_edit", args=[later.pk]), terms_data(later, starts_on="2026-02-15"))
    assert response.status_code == 200
    assert "already have an agreement for some of these dates" in response.content.decode()
    later.refresh_from_db()
    assert later.starts_on == datetime.date(2026, 4, 1)


def test_setting_up_an_agreement_asks_for_the_password_again(client, admin_user, supervisor, practitioner):
    client.force_login(admin_user)
    response = client.post(reverse("agreement_create"), form_data(supervisor, practitioner))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not SupervisionAgreement.objects.exists()


# Changing and ending ------------------------------------------------------------------


def test_changing_other_terms_keeps_the_acknowledgements(admin_client, agreement):
    agreement.supervisor_acknowledged_at = agreement.supervisee_acknowledged_at = timezone.now()
    agreement.save()
    response = admin_client.post(
        reverse("agreement_edit", args=[agreement.pk]),
        terms_data(agreement, cadence="weekly", usual_minutes="45", format="group", counts_toward_endorsement=""),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.cadence, agreement.usual_minutes, agreement.format) == ("weekly", 45, "group")
    assert not agreement.counts_toward_endorsement
    assert agreement.fully_acknowledged


def test_changing_the_confidentiality_text_asks_both_people_to_acknowledge_again(admin_client, agreement):
    agreement.supervisor_acknowledged_at = agreement.supervisee_acknowledged_at = timezone.now()
    agreement.save()
    response = admin_client.post(
        reverse("agreement_edit", args=[agreement.pk]),
        terms_data(agreement, confidentiality_limits=LIMITS + "\nAlso: court orders."),
        follow=True,
    )
    assert "both people will be asked to acknowledge them again" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.confidentiality_limits.endswith("Also: court orders.")
    assert agreement.supervisor_acknowledged_at is None and agreement.supervisee_acknowledged_at is None


def test_editing_cannot_change_the_people_or_the_organization(
    admin_client, agreement, organization, other_organization, supervisor, practitioner, other_supervisor
):
    admin_client.post(
        reverse("agreement_edit", args=[agreement.pk]),
        terms_data(
            agreement,
            supervisor=other_supervisor.pk,
            supervisee=other_supervisor.pk,
            organization=other_organization.pk,
            supervisee_acknowledged_at="2026-01-01T00:00:00Z",
        ),
    )
    agreement.refresh_from_db()
    assert (agreement.supervisor, agreement.supervisee) == (supervisor, practitioner)
    assert agreement.organization == organization
    assert agreement.supervisee_acknowledged_at is None


def test_an_invalid_edit_changes_nothing(admin_client, agreement):
    response = admin_client.post(
        reverse("agreement_edit", args=[agreement.pk]),
        terms_data(agreement, usual_minutes="600", confidentiality_limits="", cadence="hourly"),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"usual_minutes", "confidentiality_limits", "cadence"}
    agreement.refresh_from_db()
    assert agreement.usual_minutes == 60
    assert agreement.confidentiality_limits == LIMITS


def test_ending_an_agreement_sets_its_last_day(admin_client, agreement):
    today = timezone.localdate()
    form = admin_client.get(reverse("agreement_detail", args=[agreement.pk])).context["end_form"]
    assert form["ends_on"].value() == today

    response = admin_client.post(reverse("agreement_end", args=[agreement.pk]), {"ends_on": today.isoformat()})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.ends_on == today
    # The last day still counts; the next day it has ended.
    assert agreement in SupervisionAgreement.objects.active(on=today)
    assert agreement not in SupervisionAgreement.objects.active(on=today + datetime.timedelta(days=1))


def test_an_agreement_cannot_end_before_it_starts(admin_client, agreement):
    day_before = agreement.starts_on - datetime.timedelta(days=1)
    response = admin_client.post(reverse("agreement_end", args=[agreement.pk]), {"ends_on": day_before.isoformat()})
    assert response.status_code == 400
    assert "choose that day or a later one" in response.content.decode()
    response = admin_client.post(reverse("agreement_end", args=[agreement.pk]), {"ends_on": "not a date"})
    assert response.status_code == 400
    agreement.refresh_from_db()
    assert agreement.ends_on is None


def test_an_agreement_that_starts_later_offers_its_first_day_as_the_end(admin_client, supervisor, practitioner):
    starts_on = timezone.localdate() + datetime.timedelta(days=10)
    agreement = make_agreement(supervisor, practitioner, starts_on=starts_on)
    form = admin_client.get(reverse("agreement_detail", args=[agreement.pk])).context["end_form"]
    assert form["ends_on"].value() == starts_on


# Acknowledging ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "own_field", "other_field"),
    [
        ("supervisor", "supervisor_acknowledged_at", "supervisee_acknowledged_at"),
        ("practitioner", "supervisee_acknowledged_at", "supervisor_acknowledged_at"),
    ],
)
def test_each_person_acknowledges_for_themselves_once(client, request, agreement, persona, own_field, other_field):
    sign_in(client, request.getfixturevalue(persona))
    first = datetime.datetime(2026, 3, 4, 15, 30, tzinfo=datetime.UTC)
    with time_machine.travel(first, tick=False):
        response = acknowledge(client, agreement)
    assert response.status_code == 302
    assert response["Location"] == reverse("agreement_detail", args=[agreement.pk])
    agreement.refresh_from_db()
    assert getattr(agreement, own_field) == first
    assert getattr(agreement, other_field) is None

    # Acknowledging again keeps the first time.
    with time_machine.travel(first + datetime.timedelta(days=2), tick=False):
        assert acknowledge(client, agreement).status_code == 302
    agreement.refresh_from_db()
    assert getattr(agreement, own_field) == first
    assert getattr(agreement, other_field) is None


def test_both_acknowledgements_make_the_agreement_fully_acknowledged(client, agreement, supervisor, practitioner):
    for person in (supervisor, practitioner):
        sign_in(client, person)
        acknowledge(client, agreement)
    agreement.refresh_from_db()
    assert agreement.fully_acknowledged


def test_a_text_changed_while_reading_is_not_acknowledged_unseen(client, agreement, practitioner):
    sign_in(client, practitioner)
    seen = limits_digest(agreement.confidentiality_limits)
    SupervisionAgreement.objects.filter(pk=agreement.pk).update(confidentiality_limits="A new text.")
    response = client.post(reverse("agreement_acknowledge", args=[agreement.pk]), {"seen": seen}, follow=True)
    assert "The agreement changed while you were reading it." in response.content.decode()
    response = client.post(reverse("agreement_acknowledge", args=[agreement.pk]))
    agreement.refresh_from_db()
    assert agreement.supervisee_acknowledged_at is None


def test_acknowledgement_times_are_shown_in_the_viewers_time_zone(client, agreement, practitioner, admin_user):
    agreement.supervisee_acknowledged_at = datetime.datetime(2026, 3, 4, 15, 30, tzinfo=datetime.UTC)
    agreement.save()
    practitioner.time_zone = "Europe/Berlin"
    practitioner.save()
    sign_in(client, practitioner)
    content = client.get(reverse("agreement_detail", args=[agreement.pk])).content.decode()
    assert "You acknowledged this agreement on 4 March 2026, 16:30 CET." in content
    sign_in(client, admin_user)  # America/Chicago
    content = client.get(reverse("agreement_detail", args=[agreement.pk])).content.decode()
    assert "Acknowledged on 4 March 2026, 09:30 CST" in content


def test_the_detail_page_has_a_fixed_number_of_queries(agreement, admin_user, practitioner, django_assert_num_queries):
    for person in (admin_user, practitioner):
        client = sign_in(Client(), person)
        # 1 session, 2 user with organization, 3 the agreement with both people and its creator.
        with django_assert_num_queries(3):
            response = client.get(reverse("agreement_detail", args=[agreement.pk]))
        assert response.status_code == 200


# Your agreements ----------------------------------------------------------------------


def test_people_see_their_agreements_as_supervisor_and_supervisee(
    client, organization, supervisor, practitioner, other_supervisor, other_practitioner
):
    today = timezone.localdate()
    received = make_agreement(other_supervisor, supervisor)
    given = make_agreement(supervisor, practitioner, supervisor_acknowledged_at=timezone.now())
    past = make_agreement(
        supervisor,
        other_practitioner,
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=1),
    )
    make_agreement(other_supervisor, other_practitioner)  # not theirs

    sign_in(client, supervisor)
    response = client.get(reverse("agreement_mine"))
    assert response.status_code == 200
    assert response.context["waiting"] == [received]
    assert response.context["current"] == [given]
    assert response.context["past"] == [past]
    content = response.content.decode()
    assert "Please read and acknowledge" in content
    assert "Supervision with Morgan Other" in content
    assert "You supervise Pat Practitioner" in content
    assert "Waiting for Pat Practitioner" in content

    sign_in(client, practitioner)
    response = client.get(reverse("agreement_mine"))
    assert response.context["waiting"] == [given]
    assert response.context["current"] == [] and response.context["past"] == []


def test_an_acknowledged_agreement_no_longer_asks_for_attention(client, agreement, practitioner):
    sign_in(client, practitioner)
    acknowledge(client, agreement)
    response = client.get(reverse("agreement_mine"))
    assert response.context["waiting"] == []
    assert response.context["current"] == [agreement]
    assert "Please read and acknowledge" not in response.content.decode()


def test_someone_without_agreements_is_told_how_they_come_about(client, other_practitioner):
    sign_in(client, other_practitioner)
    content = client.get(reverse("agreement_mine")).content.decode()
    assert "You have no current supervision agreement." in content


def test_your_agreements_has_a_fixed_number_of_queries(
    client, organization, supervisor, practitioner, django_assert_num_queries
):
    make_agreement(supervisor, practitioner)
    sign_in(client, supervisor)
    # 1 session, 2 user with organization, 3 their agreements with both people, 4 their groups.
    with django_assert_num_queries(4):
        client.get(reverse("agreement_mine"))
    for number in range(30):
        supervisee = make_person(organization, f"p{number}@riverbend.example", f"Person {number:02}", "practitioner")
        make_agreement(supervisor, supervisee)
    with django_assert_num_queries(4):
        response = client.get(reverse("agreement_mine"))
    assert len(response.context["waiting"]) == 31


def test_the_menu_leads_to_the_right_agreement_pages(client, admin_user, practitioner, supervisor):
    sign_in(client, practitioner)
    content = client.get(reverse("home")).content.decode()
    assert reverse("agreement_mine") in content
    assert f'href="{reverse("agreement_list")}"' not in content
    sign_in(client, admin_user)
    content = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("agreement_list")}"' in content
    assert reverse("agreement_mine") not in content


# What is recorded, and whom to call in an emergency ------------------------------------

ON_CALL = "Agency on-call supervisor, 555-0100."


def test_a_new_agreement_starts_from_the_organizations_emergency_contact(
    admin_client, organization, supervisor, practitioner
):
    organization.emergency_contact = ON_CALL
    organization.save()
    form = admin_client.get(reverse("agreement_create")).context["form"]
    assert form["emergency_contact"].value() == ON_CALL
    # Kept as offered, the agency's own number needs no second look; saved into the agreement.
    response = admin_client.post(
        reverse("agreement_create"), form_data(supervisor, practitioner, emergency_contact=ON_CALL)
    )
    assert response.status_code == 302
    assert SupervisionAgreement.objects.get().emergency_contact == ON_CALL


def test_the_emergency_contact_gets_the_gentle_identifying_check(admin_client, supervisor, practitioner):
    typed = "In an emergency, Maria Lopez on 612-555-0147."
    response = admin_client.post(
        reverse("agreement_create"), form_data(supervisor, practitioner, emergency_contact=typed)
    )
    assert response.status_code == 200
    passages = [warning.finding.passage for warning in response.context["form"].identifying]
    assert passages == ["Maria Lopez", "612-555-0147"]
    assert "Whom to call in an emergency" in response.content.decode()
    assert not SupervisionAgreement.objects.exists()
    kept = form_data(supervisor, practitioner, emergency_contact=typed, keep_identifying="on")
    kept["keep_passage"] = passages
    assert admin_client.post(reverse("agreement_create"), kept).status_code == 302
    assert SupervisionAgreement.objects.get().emergency_contact == typed


def test_changing_the_emergency_contact_keeps_the_acknowledgements(admin_client, agreement):
    agreement.supervisor_acknowledged_at = agreement.supervisee_acknowledged_at = timezone.now()
    agreement.emergency_contact = ON_CALL
    agreement.save()
    new = "Duty supervisor line, 555-0142.\r\nAfter hours: the agency on-call phone."
    data = terms_data(agreement, emergency_contact=new, keep_identifying="on", keep_passage=["555-0142"])
    response = admin_client.post(reverse("agreement_edit", args=[agreement.pk]), data, follow=True)
    assert "asked to acknowledge them again" not in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.emergency_contact == "Duty supervisor line, 555-0142.\nAfter hours: the agency on-call phone."
    assert agreement.fully_acknowledged


@pytest.mark.parametrize("persona", ["practitioner", "supervisor", "admin_user"])
def test_the_agreement_page_says_what_is_recorded_who_sees_it_and_whom_to_call(client, request, agreement, persona):
    agreement.emergency_contact = ON_CALL
    agreement.save()
    sign_in(client, request.getfixturevalue(persona))
    response = client.get(reverse("agreement_detail", args=[agreement.pk]))
    content = " ".join(response.content.decode().split())
    assert "What is recorded, and who sees it" in content
    assert "Session dates, length and attendance" in content
    assert "Private to the person who writes them, until they choose to share one with their supervisor." in content
    assert "taken to the agency’s own process" in content
    assert "They see dates and attendance, never notes or reflections." in content
    assert "Whom to call in an emergency" in content
    assert ON_CALL in content
    if persona != "admin_user":
        # The acknowledgement step comes after all of it, and names it.
        assert content.index(ON_CALL) < content.index("I have read this and acknowledge it")
        assert "what is recorded and the limits of confidentiality" in content


def test_an_agreement_without_an_emergency_contact_says_what_to_do(client, agreement, practitioner):
    sign_in(client, practitioner)
    content = client.get(reverse("agreement_detail", args=[agreement.pk])).content.decode()
    assert "No emergency contact is written into this agreement yet." in content


def test_your_agreements_show_what_is_recorded_and_each_emergency_contact(
    client, supervisor, practitioner, agreement, other_supervisor
):
    agreement.emergency_contact = ON_CALL
    agreement.save()
    received = make_agreement(other_supervisor, supervisor, emergency_contact="Second line, 555-0142.")
    received.supervisor_acknowledged_at = received.supervisee_acknowledged_at = timezone.now()
    received.save()
    sign_in(client, supervisor)
    content = client.get(reverse("agreement_mine")).content.decode()
    assert "What is recorded, and who sees it" in content
    assert f"In an emergency:</span> {ON_CALL}" in content  # waiting for them
    assert "In an emergency:</span> Second line, 555-0142." in content  # current


def test_the_organization_default_emergency_contact_is_a_setting_with_the_gentle_check(admin_client, organization):
    page = admin_client.get(reverse("organization_settings"))
    assert "emergency_contact" in page.context["form"].fields
    data = {
        "name": organization.name,
        "time_zone": organization.time_zone,
        "confidentiality_limits": organization.confidentiality_limits,
        "emergency_contact": ON_CALL,
        "purge_after_family_closed_years": "7",
        "purge_after_person_left_years": "7",
        "restore_window_days": "30",
    }
    response = admin_client.post(reverse("organization_settings"), data)
    assert response.status_code == 200
    assert [warning.finding.passage for warning in response.context["form"].identifying] == ["555-0100"]
    organization.refresh_from_db()
    assert organization.emergency_contact == ""
    data.update(keep_identifying="on", keep_passage="555-0100")
    assert admin_client.post(reverse("organization_settings"), data).status_code == 302
    organization.refresh_from_db()
    assert organization.emergency_contact == ON_CALL
