"""The matrix covers every URL, and a URL it does not know fails the suite (the test of the test)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from rsc.models import Family
from tests.security import snapshot, writes
from tests.security.crawl import check_route, run_cell
from tests.security.matrix import MATRIX, NOT_YET_REQUIRED, stale, unmapped
from tests.security.routes import ARGUMENTS, all_routes, path_for
from tests.security.world import MARKERS, build_world

EXTRA_URLCONF = "tests.security.urls_with_extra"


def test_every_url_of_the_project_has_a_row_in_the_matrix():
    routes = all_routes()
    assert unmapped(routes) == []
    # Third-party pages are there too, not skipped: allauth's by name, the admin's by its rule.
    keys = {route.key for route in routes}
    assert {"account_login", "mfa_index", "usersessions_list", "admin:index", "admin:rsc_family_change"} <= keys
    assert len(routes) > 150


def test_the_matrix_names_only_urls_that_exist():
    assert stale(all_routes()) == []
    assert set(MATRIX) >= NOT_YET_REQUIRED


def test_every_url_argument_names_a_record_of_the_world():
    assert set(ARGUMENTS) <= {route.key for route in all_routes()} | NOT_YET_REQUIRED


@override_settings(ROOT_URLCONF=EXTRA_URLCONF)
def test_a_url_added_without_a_matrix_entry_is_reported_by_name():
    assert unmapped(all_routes()) == [
        "security_suite_extra (security-suite-extra/)",
        "security_suite_extra_record (security-suite-extra/<int:pk>/)",
        "security_suite_writes (security-suite-writes/)",
    ]


def test_the_coverage_check_reads_any_urlconf():
    assert len(unmapped(all_routes(EXTRA_URLCONF))) == 3
    assert unmapped(all_routes()) == []


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=EXTRA_URLCONF)
def test_the_matrix_test_fails_for_an_unmapped_url_naming_it():
    routes = {route.key: route for route in all_routes()}
    with pytest.raises(AssertionError, match=r"'security_suite_extra' .* has no entry in tests/security/matrix\.py"):
        check_route(routes["security_suite_extra"])


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=EXTRA_URLCONF)
def test_a_url_argument_without_a_record_fails_naming_it():
    routes = {route.key: route for route in all_routes()}
    with pytest.raises(LookupError, match=r"\['pk'\] of 'security_suite_extra_record'"):
        path_for(routes["security_suite_extra_record"], build_world())


# The checks that run on every cell, shown to see what they must see -----------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "url_name", "attribute", "words"),
    [
        ("supervisor", "family_detail", "family", ["family_code", "child_label", "caregiver_notes"]),
        ("supervisor", "reflection_detail", "reflection", ["reflection_title", "reflection_text", "response_text"]),
        ("owner", "reflection_edit", "reflection", ["checkin_words"]),
        ("owner", "session_detail", "session", ["agenda_text"]),
        ("supervisor", "session_document", "held_session", ["session_notes", "follow_up_text", "reply_text"]),
        ("admin", "family_deleted_list", None, ["deleted_family_code"]),
        ("owner", "reflection_deleted_list", None, ["deleted_reflection_text"]),
    ],
)
def test_the_owners_words_show_where_they_may_so_the_leak_check_can_see_them(persona, url_name, attribute, words):
    world = build_world()
    args = [getattr(world, attribute).pk] if attribute else []
    text = world.client_for(persona).get(reverse(url_name, args=args)).content.decode()
    assert [name for name in words if MARKERS[name] not in text] == []


@pytest.mark.django_db
def test_the_supervisor_never_sees_the_private_check_in():
    world = build_world()
    text = world.client_for("supervisor").get(reverse("reflection_detail", args=[world.reflection.pk])).content
    assert MARKERS["checkin_words"].encode() not in text


@pytest.mark.django_db
def test_the_snapshot_sees_a_changed_added_or_removed_row():
    world = build_world()
    before = snapshot.take()
    world.family.code = "CHANGED"
    world.family.save()
    world.agenda_item.delete()
    world.group.members.add(world.people["colleague"])
    found = "\n".join(snapshot.changes(before, snapshot.take()))
    assert "rsc.family: row" in found
    assert "rsc.agendaitem: row(s)" in found
    assert "rsc.rscgroup_members: 1 row(s) added" in found


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=EXTRA_URLCONF)
def test_a_get_that_writes_is_caught_and_rolled_back():
    world = build_world()
    problems = run_cell(world.client_for("owner"), "owner", "/security-suite-writes/", "GET", 200)
    assert problems == ["GET /security-suite-writes/ as owner: the GET wrote: UPDATE rsc_family (code)"]
    assert Family.objects.get(pk=world.family.pk).code == MARKERS["family_code"]


def test_writes_are_read_from_the_sql_with_their_columns():
    update = writes.parse(
        """UPDATE "rsc_reflectionshare" SET "first_read_at" = '2026-01-01', "last_read_at" = 'x" = 1' WHERE "id" = 1"""
    )
    assert (update.verb, update.table, update.columns) == (
        "UPDATE",
        "rsc_reflectionshare",
        {"first_read_at", "last_read_at"},
    )
    assert writes.forbidden([update], writes.GET_MAY_WRITE) == []
    assert writes.parse('INSERT INTO "rsc_family" ("code") VALUES (%s)').table == "rsc_family"
    assert writes.parse('DELETE FROM "rsc_agendaitem" WHERE "id" = 1').verb == "DELETE"
    assert writes.parse('SELECT "id" FROM "rsc_family"') is None
    assert writes.parse('SAVEPOINT "s1"') is None
    too_much = writes.parse("""UPDATE "rsc_reflection" SET "author_seen_at" = 'now', "title" = 'x' WHERE "id" = 1""")
    assert writes.forbidden([too_much], writes.GET_MAY_WRITE) == ["UPDATE rsc_reflection (author_seen_at, title)"]
