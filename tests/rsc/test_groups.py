import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from rsc.models import RSCGroup
from tests.conftest import make_person, mark_reauthenticated


def make_group(facilitator, *members, name="Tuesday circle", **fields) -> RSCGroup:
    group = RSCGroup.objects.create(organization=facilitator.organization, name=name, facilitator=facilitator, **fields)
    group.members.set(members)
    return group


@pytest.fixture
def group(supervisor, practitioner):
    return make_group(supervisor, practitioner)


def sign_in(client, person):
    client.force_login(person)
    mark_reauthenticated(client, person)
    return client


def form_data(facilitator, *members, **overrides) -> dict:
    data = {"name": "Thursday reflective group", "facilitator": facilitator.pk, "members": [m.pk for m in members]}
    data["is_active"] = "on"
    data.update(overrides)
    return data


# Who may open what -------------------------------------------------------------------

EVERY_PAGE = ["group_list", "group_create", "group_detail", "group_edit"]


def url_for(name, group):
    return reverse(name) if name in {"group_list", "group_create"} else reverse(name, args=[group.pk])


@pytest.mark.parametrize("name", EVERY_PAGE)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, group, name, method):
    response = getattr(client, method)(url_for(name, group))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "persona", ["supervisor", "practitioner", "other_practitioner", "other_supervisor", "stranger", "stranger_admin"]
)
def test_only_administrators_change_groups(client, request, group, practitioner, other_practitioner, persona):
    sign_in(client, request.getfixturevalue(persona))
    data = form_data(group.facilitator, other_practitioner, name="Taken over")
    assert client.get(reverse("group_edit", args=[group.pk])).status_code == 404
    assert client.post(reverse("group_edit", args=[group.pk]), data).status_code == 404
    group.refresh_from_db()
    assert group.name == "Tuesday circle"
    assert list(group.members.all()) == [practitioner]
    if persona != "stranger_admin":  # who may set up groups of their own organization
        assert client.get(reverse("group_create")).status_code == 404
        assert client.post(reverse("group_create"), data).status_code == 404
    assert RSCGroup.objects.count() == 1


@pytest.mark.parametrize("persona", ["other_practitioner", "other_supervisor", "stranger", "stranger_admin"])
def test_people_outside_the_group_find_nothing(client, request, group, persona):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(reverse("group_detail", args=[group.pk])).status_code == 404
    response = client.get(reverse("group_list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "Tuesday circle" not in response.content.decode()


@pytest.mark.parametrize("persona", ["admin_user", "supervisor", "practitioner"])
def test_the_administrator_facilitator_and_members_see_the_group(client, request, group, persona):
    sign_in(client, request.getfixturevalue(persona))
    response = client.get(reverse("group_detail", args=[group.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sasha Supervisor" in content and "Pat Practitioner" in content
    assert (reverse("group_edit", args=[group.pk]) in content) == (persona == "admin_user")
    assert list(client.get(reverse("group_list")).context["page"].object_list) == [group]


def test_administrators_see_every_group_of_their_organization(
    admin_client, group, other_supervisor, other_practitioner, stranger_supervisor, stranger
):
    second = make_group(other_supervisor, other_practitioner, name="Alder group", is_active=False)
    make_group(stranger_supervisor, stranger, name="Far group")
    response = admin_client.get(reverse("group_list"))
    # Groups that meet come first.
    assert list(response.context["page"].object_list) == [group, second]
    content = response.content.decode()
    assert "Far group" not in content
    assert "Not meeting" in content
    assert reverse("group_create") in content


def test_group_pages_refuse_the_wrong_method(admin_client, client, group, practitioner):
    assert admin_client.post(reverse("group_list")).status_code == 405
    assert admin_client.put(reverse("group_create")).status_code == 405
    assert admin_client.post(reverse("group_detail", args=[group.pk])).status_code == 405
    assert admin_client.put(reverse("group_edit", args=[group.pk])).status_code == 405
    sign_in(client, practitioner)
    assert client.post(reverse("group_list")).status_code == 405
    assert client.post(reverse("group_detail", args=[group.pk])).status_code == 405


# Setting up and changing a group -------------------------------------------------------


def test_administrator_sets_up_a_group(admin_client, organization, supervisor, practitioner, other_practitioner):
    response = admin_client.post(
        reverse("group_create"), form_data(supervisor, practitioner, other_practitioner, name="  Thursday   group ")
    )
    group = RSCGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("group_detail", args=[group.pk])
    assert group.organization == organization
    assert group.name == "Thursday group"
    assert group.facilitator == supervisor
    assert set(group.members.all()) == {practitioner, other_practitioner}
    assert group.is_active


def test_the_form_offers_only_active_people_of_the_organization(
    admin_client, admin_user, supervisor, practitioner, other_practitioner, stranger_supervisor
):
    other_practitioner.is_active = False
    other_practitioner.save()
    form = admin_client.get(reverse("group_create")).context["form"]
    assert list(form.fields["facilitator"].queryset) == [supervisor]
    assert list(form.fields["members"].queryset) == [practitioner, supervisor]


@pytest.mark.parametrize("who", ["stranger_supervisor", "practitioner", "deactivated"])
def test_the_facilitator_is_an_active_supervisor_of_the_organization(
    admin_client, request, other_supervisor, practitioner, who
):
    if who == "deactivated":
        other_supervisor.is_active = False
        other_supervisor.save()
        person = other_supervisor
    else:
        person = request.getfixturevalue(who)
    response = admin_client.post(reverse("group_create"), form_data(person, practitioner))
    assert response.status_code == 200
    assert "Choose a facilitator from the list" in response.context["form"].errors["facilitator"][0]
    assert not RSCGroup.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "deactivated", "admin_only", "nonsense"])
def test_members_are_active_practitioners_or_supervisors_of_the_organization(
    admin_client, request, organization, supervisor, practitioner, other_practitioner, who
):
    if who == "stranger":
        member = request.getfixturevalue("stranger").pk
    elif who == "deactivated":
        other_practitioner.is_active = False
        other_practitioner.save()
        member = other_practitioner.pk
    elif who == "admin_only":
        member = make_person(organization, "office@riverbend.example", "Office Only", User.Role.ADMINISTRATOR).pk
    else:
        member = "not-a-number"
    data = form_data(supervisor)
    data["members"] = [practitioner.pk, member]
    response = admin_client.post(reverse("group_create"), data)
    assert response.status_code == 200
    assert "Choose members from the list" in response.context["form"].errors["members"][0]
    assert not RSCGroup.objects.exists()


def test_the_facilitator_is_not_also_a_member(admin_client, supervisor, practitioner):
    response = admin_client.post(reverse("group_create"), form_data(supervisor, supervisor, practitioner))
    assert response.context["form"].errors["members"] == [
        "Sasha Supervisor facilitates the group; untick them as a member."
    ]
    assert not RSCGroup.objects.exists()


def test_group_names_are_unique_within_the_organization(admin_client, group, supervisor, stranger_supervisor, stranger):
    response = admin_client.post(reverse("group_create"), form_data(supervisor, name="TUESDAY circle"))
    assert response.context["form"].errors["name"] == ["Another group already has this name."]
    assert RSCGroup.objects.count() == 1
    # Another organization may use the same name.
    make_group(stranger_supervisor, stranger, name="Thursday reflective group")
    assert admin_client.post(reverse("group_create"), form_data(supervisor)).status_code == 302


def test_fields_the_form_does_not_offer_are_ignored(admin_client, organization, other_organization, supervisor):
    admin_client.post(reverse("group_create"), form_data(supervisor, organization=other_organization.pk))
    assert RSCGroup.objects.get().organization == organization


def test_invalid_input_saves_nothing_and_keeps_what_was_typed(admin_client, supervisor, practitioner):
    data = form_data(supervisor, practitioner, name="Wednesday <circle> & friends")
    data["facilitator"] = ""
    response = admin_client.post(reverse("group_create"), data)
    assert response.status_code == 200
    assert not RSCGroup.objects.exists()
    assert 'value="Wednesday &lt;circle&gt; &amp; friends"' in response.content.decode()


def test_administrator_changes_a_group(admin_client, group, other_supervisor, other_practitioner, supervisor):
    response = admin_client.post(
        reverse("group_edit", args=[group.pk]),
        form_data(other_supervisor, other_practitioner, supervisor, name="Tuesday circle", is_active=""),
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.facilitator == other_supervisor
    assert set(group.members.all()) == {other_practitioner, supervisor}
    assert not group.is_active


def test_a_member_deactivated_since_stays_in_the_group_when_it_is_saved(
    admin_client, group, practitioner, other_practitioner
):
    practitioner.is_active = False
    practitioner.save()
    form = admin_client.get(reverse("group_edit", args=[group.pk])).context["form"]
    assert practitioner in form.fields["members"].queryset
    assert form["members"].value() == [practitioner.pk]
    admin_client.post(reverse("group_edit", args=[group.pk]), form_data(group.facilitator, practitioner))
    assert list(group.members.all()) == [practitioner]


def test_changing_a_group_asks_for_the_password_again(client, admin_user, group, other_supervisor):
    client.force_login(admin_user)
    response = client.post(reverse("group_edit", args=[group.pk]), form_data(other_supervisor, name="Renamed"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    group.refresh_from_db()
    assert group.name == "Tuesday circle"


# Query counts -----------------------------------------------------------------------------


def test_the_group_list_has_a_fixed_number_of_queries(
    admin_client, organization, supervisor, django_assert_num_queries
):
    make_group(supervisor, name="Group 00")
    # 1 session, 2 user with organization, 3 count for the paginator, 4 the page with facilitators,
    # 5 the members of those groups.
    with django_assert_num_queries(5):
        admin_client.get(reverse("group_list"))
    for number in range(1, 31):
        members = [
            make_person(organization, f"p{number}-{n}@riverbend.example", f"Person {number}-{n}", "practitioner")
            for n in range(3)
        ]
        make_group(supervisor, *members, name=f"Group {number:02}")
    with django_assert_num_queries(5):
        response = admin_client.get(reverse("group_list"))
    assert len(response.context["page"].object_list) == 25
    assert "3 members: Person 1-0, Person 1-1, Person 1-2" in response.content.decode()


def test_the_group_page_has_a_fixed_number_of_queries(
    organization, group, admin_user, practitioner, django_assert_num_queries
):
    for number in range(8):
        group.members.add(make_person(organization, f"m{number}@riverbend.example", f"Member {number}", "practitioner"))
    for person in (admin_user, practitioner):
        client = sign_in(Client(), person)
        # 1 session, 2 user with organization, 3 the group with its facilitator, 4 its members.
        with django_assert_num_queries(4):
            response = client.get(reverse("group_detail", args=[group.pk]))
        assert len(response.context["members"]) == 9
