from django.test import Client
from django.urls import reverse

from accounts.models import User
from rsc.models import AuditEvent
from tests.conftest import make_person, mark_reauthenticated


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/"


def test_practitioner_home_shows_organization_roles_and_next_steps(client, practitioner, admin_user):
    client.force_login(practitioner)
    response = client.get(reverse("home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Riverbend Early Childhood" in content
    assert "Practitioner" in content
    assert "Set up an authenticator app" in content
    # Who to ask for changes: the organization's administrators.
    assert admin_user.email in content
    # No administration for a practitioner.
    assert reverse("people_list") not in content


def test_admin_home_shows_people_counts_and_pending_invitations(client, admin_user, practitioner, supervisor):
    supervisor.invitation_accepted = False
    supervisor.save()
    client.force_login(admin_user)
    response = client.get(reverse("home"))
    counts = response.context["people_counts"]
    assert (counts["active"], counts["invited"], counts["deactivated"]) == (2, 1, 0)
    assert list(response.context["pending_invitations"]) == [supervisor]
    assert reverse("people_list") in response.content.decode()
    assert reverse("person_invite") in response.content.decode()


def test_home_page_has_a_fixed_number_of_queries(client, admin_user, practitioner, django_assert_num_queries):
    client.force_login(admin_user)
    # session, user+organization, authenticator, device count, counts, pending invitations, notices about
    # administrators who made themselves supervisors, administrators.
    with django_assert_num_queries(8):
        assert client.get(reverse("home")).status_code == 200


def test_times_follow_the_persons_time_zone(client, practitioner):
    practitioner.time_zone = "Pacific/Auckland"
    practitioner.save()
    client.force_login(practitioner)
    response = client.get(reverse("home"))
    assert "Times are shown in Auckland, New Zealand." in response.content.decode()
    from django.utils import timezone

    # Rendered in the person's zone, and nothing left active after the request.
    assert str(timezone.get_current_timezone()) != "Pacific/Auckland"


def test_an_administrator_giving_themselves_the_supervisor_role_is_shown_to_the_other_administrators(
    client, organization, admin_user
):
    other = make_person(organization, "ola@riverbend.example", "Ola Admin", User.Role.ADMINISTRATOR)
    client.force_login(admin_user)
    mark_reauthenticated(client, admin_user)
    roles = [User.Role.ADMINISTRATOR, User.Role.SUPERVISOR]
    response = client.post(reverse("person_roles", args=[admin_user.pk]), {"roles": roles})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGE)
    assert event.detail == {"old": ["administrator"], "new": ["supervisor", "administrator"], "self": True}

    colleague = Client()
    colleague.force_login(other)
    content = colleague.get(reverse("home")).content.decode()
    assert "Avery Admin gave themselves the supervisor role" in content
    assert reverse("person_detail", args=[admin_user.pk]) in content
    # Not on their own home page: they know.
    assert "gave themselves the supervisor role" not in client.get(reverse("home")).content.decode()
