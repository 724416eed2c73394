import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.conftest import PASSWORD, make_person, mark_reauthenticated


def sign_in(email: str) -> Client:
    """A client signed in through the real login form, as a browser would be."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response
    return client


def test_admin_lists_the_people_of_their_organization_only(admin_client, practitioner, supervisor, stranger):
    response = admin_client.get(reverse("people_list"))
    assert response.status_code == 200
    people = list(response.context["page"].object_list)
    assert set(people) == {response.context["user"], practitioner, supervisor}
    assert stranger.email not in response.content.decode()


def test_people_list_searches_and_filters(admin_client, practitioner, supervisor, other_practitioner):
    other_practitioner.is_active = False
    other_practitioner.save()

    def names(**params):
        response = admin_client.get(reverse("people_list"), params)
        return [person.full_name for person in response.context["page"].object_list]

    assert names(q="sasha") == ["Sasha Supervisor"]
    assert names(q="PAT@riverbend") == ["Pat Practitioner"]
    assert names(role="practitioner") == ["Pat Practitioner", "Quinn Practitioner"]
    assert names(role="practitioner", status="active") == ["Pat Practitioner"]
    assert names(status="deactivated") == ["Quinn Practitioner"]
    assert names(q="nobody-like-this") == []
    # Nonsense filter values are ignored rather than failing.
    assert admin_client.get(reverse("people_list"), {"status": "x", "role": "y", "page": "zz"}).status_code == 200


def test_people_list_paginates_with_a_fixed_number_of_queries(admin_client, organization, django_assert_num_queries):
    for number in range(60):
        make_person(organization, f"person{number}@riverbend.example", f"Person {number:02}", "practitioner")
    url = reverse("people_list")
    # 1 session, 2 user with organization, 3 count for the paginator, 4 the page of people.
    with django_assert_num_queries(4):
        response = admin_client.get(url, {"page": 2})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25
    assert "Page 2 of 3" in response.content.decode()
    assert "page=3" in response.content.decode()


def test_person_detail_has_a_fixed_number_of_queries(admin_client, practitioner, django_assert_num_queries):
    # 1 session, 2 user with organization, 3 the person.
    with django_assert_num_queries(3):
        response = admin_client.get(reverse("person_detail", args=[practitioner.pk]))
    assert response.status_code == 200
    assert practitioner.email in response.content.decode()


def test_admin_changes_roles(admin_client, practitioner):
    response = admin_client.post(
        reverse("person_roles", args=[practitioner.pk]), {"roles": ["supervisor", "practitioner"]}
    )
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.roles == ["practitioner", "supervisor"]


def test_roles_need_at_least_one_and_only_known_ones(admin_client, practitioner):
    response = admin_client.post(reverse("person_roles", args=[practitioner.pk]), {"roles": []})
    assert response.status_code == 400
    assert "Choose at least one role." in response.content.decode()
    response = admin_client.post(reverse("person_roles", args=[practitioner.pk]), {"roles": ["superuser"]})
    assert response.status_code == 400
    practitioner.refresh_from_db()
    assert practitioner.roles == ["practitioner"]
    assert not practitioner.is_superuser and not practitioner.is_staff


def test_admin_cannot_remove_their_own_admin_role_or_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(reverse("person_roles", args=[admin_user.pk]), {"roles": ["supervisor"]})
    assert response.status_code == 400
    admin_client.post(reverse("person_deactivate", args=[admin_user.pk]))
    admin_user.refresh_from_db()
    assert admin_user.is_account_admin and admin_user.is_active


def test_role_changes_ask_for_the_password_again(client, admin_user, practitioner):
    client.force_login(admin_user)
    response = client.post(reverse("person_roles", args=[practitioner.pk]), {"roles": ["supervisor"]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    practitioner.refresh_from_db()
    assert practitioner.roles == ["practitioner"]


def test_deactivation_ends_every_session_of_that_person_at_once(admin_client, practitioner):
    phone = sign_in(practitioner.email)
    laptop = sign_in(practitioner.email)
    assert phone.get(reverse("home")).status_code == 200
    assert laptop.get(reverse("home")).status_code == 200

    response = admin_client.post(reverse("person_deactivate", args=[practitioner.pk]))

    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert not practitioner.is_active
    assert practitioner.deactivated_at is not None
    for device in (phone, laptop):
        response = device.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    # And they cannot sign in again.
    response = Client().post(reverse("account_login"), {"login": practitioner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")


def test_reactivated_person_can_sign_in_again(admin_client, practitioner):
    admin_client.post(reverse("person_deactivate", args=[practitioner.pk]))
    admin_client.post(reverse("person_reactivate", args=[practitioner.pk]))
    practitioner.refresh_from_db()
    assert practitioner.is_active and practitioner.deactivated_at is None
    assert sign_in(practitioner.email).get(reverse("home")).status_code == 200


PERSON_URLS = ["person_detail", "person_roles", "person_deactivate", "person_reactivate", "invitation_resend"]


@pytest.mark.parametrize("name", PERSON_URLS)
def test_another_organizations_people_answer_404(client, stranger_admin, practitioner, name):
    client.force_login(stranger_admin)
    mark_reauthenticated(client, stranger_admin)
    url = reverse(name, args=[practitioner.pk])
    # GET-only and POST-only pages answer 405 to the other method before looking anything up.
    assert client.get(url).status_code == (404 if name == "person_detail" else 405)
    assert client.post(url, {"roles": ["administrator"]}).status_code == (405 if name == "person_detail" else 404)
    practitioner.refresh_from_db()
    assert practitioner.roles == ["practitioner"] and practitioner.is_active


@pytest.mark.parametrize("persona", ["practitioner", "supervisor"])
@pytest.mark.parametrize("name", ["people_list", "organization_settings", *PERSON_URLS])
def test_people_who_are_not_administrators_find_nothing(client, request, persona, name, admin_user):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, args=[admin_user.pk]) if name in PERSON_URLS else reverse(name)
    assert client.get(url).status_code in {404, 405}
    assert client.post(url, {"roles": ["practitioner"], "require_mfa": "on", "name": "Hacked"}).status_code == 404
    admin_user.refresh_from_db()
    assert admin_user.is_account_admin and admin_user.is_active
    assert admin_user.organization.name == "Riverbend Early Childhood"


def test_person_pages_reject_the_wrong_method(admin_client, practitioner):
    assert admin_client.get(reverse("person_deactivate", args=[practitioner.pk])).status_code == 405
    assert admin_client.put(reverse("person_detail", args=[practitioner.pk])).status_code == 405


def test_admin_edits_organization_settings(admin_client, organization):
    response = admin_client.post(
        reverse("organization_settings"),
        {
            "name": "Riverbend Early Childhood",
            "time_zone": "America/New_York",
            "require_mfa": "on",
            "confidentiality_limits": "Mandated reporting applies.",
        },
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.require_mfa
    assert organization.time_zone == "America/New_York"


def test_organization_settings_refuse_bad_values(admin_client, organization, other_organization):
    response = admin_client.post(
        reverse("organization_settings"), {"name": other_organization.name, "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    organization.refresh_from_db()
    assert organization.name == "Riverbend Early Childhood"
    assert organization.time_zone != "Mars/Olympus"


def test_everyone_edits_their_own_profile(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("profile"), {"full_name": "  Pat P. ", "time_zone": "America/Denver"})
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.full_name == "Pat P."
    assert practitioner.time_zone == "America/Denver"
    response = client.post(reverse("profile"), {"full_name": "", "time_zone": "Nowhere/City"})
    assert response.status_code == 200
    practitioner.refresh_from_db()
    assert practitioner.full_name == "Pat P."


def test_profile_ignores_fields_it_does_not_offer(client, practitioner, other_organization):
    client.force_login(practitioner)
    client.post(
        reverse("profile"),
        {
            "full_name": "Pat",
            "time_zone": "UTC",
            "organization": other_organization.pk,
            "is_account_admin": "on",
            "is_staff": "on",
            "email": "new@example.org",
        },
    )
    practitioner.refresh_from_db()
    assert practitioner.organization != other_organization
    assert not practitioner.is_account_admin and not practitioner.is_staff
    assert practitioner.email == "pat@riverbend.example"
    assert User.objects.filter(email="new@example.org").count() == 0
