from django.urls import reverse


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
    # session, user+organization, authenticator, device count, counts, pending invitations, administrators.
    with django_assert_num_queries(7):
        assert client.get(reverse("home")).status_code == 200


def test_times_follow_the_persons_time_zone(client, practitioner):
    practitioner.time_zone = "Pacific/Auckland"
    practitioner.save()
    client.force_login(practitioner)
    response = client.get(reverse("home"))
    assert "Pacific/Auckland" in response.content.decode()
    from django.utils import timezone

    # Rendered in the person's zone, and nothing left active after the request.
    assert str(timezone.get_current_timezone()) != "Pacific/Auckland"
