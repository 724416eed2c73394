"""A person's first steps: an agreement waiting for their acknowledgement is on their home page, with
the way to read and acknowledge it, until they have."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rsc.forms.agreements import limits_digest
from rsc.models import SupervisionAgreement
from tests.conftest import make_person

CARD = "An agreement is waiting for your acknowledgement"
SEVERAL = "Agreements waiting for your acknowledgement"


def home(client: Client, person: User):
    client.force_login(person)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def card_of(response) -> str:
    content = response.content.decode()
    start = content.find('id="agreements-to-acknowledge"')
    return content[start : content.find("</section>", start)] if start >= 0 else ""


def acknowledge(client: Client, agreement: SupervisionAgreement):
    return client.post(
        reverse("agreement_acknowledge", args=[agreement.pk]),
        {"seen": limits_digest(agreement.confidentiality_limits)},
    )


def test_a_new_supervisee_finds_the_agreement_waiting_on_their_home_page(
    client, practitioner, unacknowledged_agreement
):
    response = home(client, practitioner)
    card = card_of(response)
    assert CARD in card
    assert "Supervision with Sasha Supervisor" in card
    assert "Individual · every two weeks · 60 minutes" in card
    assert f'href="{reverse("agreement_detail", args=[unacknowledged_agreement.pk])}"' in card
    assert "Read and acknowledge" in card
    assert response.context["agreements_to_acknowledge"] == [unacknowledged_agreement]


def test_the_card_goes_once_the_person_has_acknowledged_and_stays_for_the_other(
    client, practitioner, supervisor, unacknowledged_agreement
):
    client.force_login(practitioner)
    assert acknowledge(client, unacknowledged_agreement).status_code == 302
    assert card_of(home(client, practitioner)) == ""
    # The supervisor has not acknowledged yet: their home page asks them.
    card = card_of(home(Client(), supervisor))
    assert CARD in card and "You supervise Pat Practitioner" in card
    supervisor_client = Client()
    supervisor_client.force_login(supervisor)
    acknowledge(supervisor_client, unacknowledged_agreement)
    assert card_of(home(supervisor_client, supervisor)) == ""


def test_terms_changed_since_ask_again_on_the_home_page(client, practitioner, agreement):
    assert card_of(home(client, practitioner)) == ""
    SupervisionAgreement.objects.filter(pk=agreement.pk).update(supervisee_acknowledged_at=None)
    assert CARD in card_of(home(client, practitioner))


def test_only_the_persons_own_agreements_not_ended_are_on_the_card(
    client, organization, practitioner, other_practitioner, supervisor, other_supervisor, admin_user
):
    today = timezone.localdate()
    ended = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=other_supervisor,
        supervisee=practitioner,
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=1),
        confidentiality_limits="Limits.",
    )
    upcoming = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=supervisor,
        supervisee=practitioner,
        starts_on=today + datetime.timedelta(days=10),
        confidentiality_limits="Limits.",
    )
    theirs = SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=supervisor,
        supervisee=other_practitioner,
        starts_on=today,
        confidentiality_limits="Limits.",
    )
    assert home(client, practitioner).context["agreements_to_acknowledge"] == [upcoming]
    assert ended.pk and theirs.pk
    assert home(client, other_practitioner).context["agreements_to_acknowledge"] == [theirs]
    assert home(client, supervisor).context["agreements_to_acknowledge"] == [theirs, upcoming]
    # An administrator who set them up is not one of the people in them.
    response = home(client, admin_user)
    assert "agreements_to_acknowledge" not in response.context
    assert card_of(response) == ""


def test_many_waiting_agreements_show_three_and_lead_to_the_rest(client, organization, supervisor):
    for number in range(5):
        person = make_person(organization, f"p{number}@riverbend.example", f"Person {number}", "practitioner")
        SupervisionAgreement.objects.create(
            organization=organization,
            supervisor=supervisor,
            supervisee=person,
            starts_on=datetime.date(2026, 1, 1),
            confidentiality_limits="Limits.",
        )
    response = home(client, supervisor)
    card = card_of(response)
    assert SEVERAL in card
    assert card.count("Read and acknowledge<") == 3
    assert f'href="{reverse("agreement_mine")}"' in card


@pytest.mark.parametrize("waiting", [1, 4])
def test_the_home_page_of_a_new_supervisee_has_a_fixed_number_of_queries(
    client, organization, practitioner, waiting, django_assert_num_queries
):
    for number in range(waiting):
        person = make_person(organization, f"s{number}@riverbend.example", f"Supervisor {number}", "supervisor")
        SupervisionAgreement.objects.create(
            organization=organization,
            supervisor=person,
            supervisee=practitioner,
            starts_on=datetime.date(2026, 1, 1),
            confidentiality_limits="Limits.",
        )
    client.force_login(practitioner)
    # 1 session, 2 user with organization, 3 authenticator, 4 device count, 5 the agreements waiting for
    # them, with both people, 6 their next session, 7 session notes signed since they last looked,
    # 8 open follow-ups, 9 past sessions, 10 reflections with new responses, 11 reflections shared with
    # them and not read, 12 administrators.
    with django_assert_num_queries(12) as captured:
        response = client.get(reverse("home"))
    assert len(response.context["agreements_to_acknowledge"]) == min(waiting, 3)
    # However many wait, one query finds them all, with the people in them.
    agreements = [query for query in captured if query["sql"].startswith('SELECT "rsc_supervisionagreement"')]
    assert len(agreements) == 1
