"""Property-based checks of the account forms: no 500s, nothing saved on bad input, text kept as typed
(names on one line: kept as typed when typed without line breaks or other control characters)."""

import unicodedata
import zoneinfo

from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from tests.conftest import mark_reauthenticated

HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Text as people type it, including accents, emoji, and markup; no NUL (PostgreSQL refuses it in text).
TYPED_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=200)
TIME_ZONES = st.sampled_from(sorted(zoneinfo.available_timezones())) | st.text(max_size=40)


class Rollback(Exception):
    pass


def is_plain(text: str) -> bool:
    """No control or format characters, and no spacing but ordinary spaces."""
    return all(c == " " or unicodedata.category(c) not in {"Cc", "Cf", "Zs", "Zl", "Zp"} for c in text)


def kept_as_one_line(stored: str, typed: str) -> bool:
    """A stored name is one line without control characters (zero-width joiners aside), and it is
    what was typed, spaces collapsed, when that was plain."""
    one_line = stored == " ".join(stored.split()) and is_plain(stored.replace("\u200c", "").replace("\u200d", ""))
    return one_line and (stored == " ".join(typed.split()) if is_plain(typed) else True)


def in_rollback(action):
    try:
        with transaction.atomic():
            action()
            raise Rollback
    except Rollback:
        pass


@HYPOTHESIS
@given(full_name=TYPED_TEXT, time_zone=TIME_ZONES)
def test_profile_form_never_fails_and_keeps_the_name_as_typed(client, practitioner, full_name, time_zone):
    client.force_login(practitioner)

    def post():
        response = client.post(reverse("profile"), {"full_name": full_name, "time_zone": time_zone})
        assert response.status_code in {200, 302}
        stored = User.objects.get(pk=practitioner.pk)
        if response.status_code == 302:
            assert kept_as_one_line(stored.full_name, full_name)
            assert stored.time_zone == time_zone
        else:
            assert (stored.full_name, stored.time_zone) == (practitioner.full_name, practitioner.time_zone)

    in_rollback(post)


@HYPOTHESIS
@given(
    full_name=TYPED_TEXT,
    email=st.emails() | TYPED_TEXT,
    roles=st.lists(st.sampled_from(["practitioner", "supervisor", "administrator", "root", ""]), max_size=4),
)
def test_invite_form_never_fails_and_saves_only_valid_invitations(admin_client, admin_user, full_name, email, roles):
    mark_reauthenticated(admin_client, admin_user)

    def post():
        before = User.objects.count()
        response = admin_client.post(reverse("person_invite"), {"full_name": full_name, "email": email, "roles": roles})
        assert response.status_code in {200, 302}
        if response.status_code == 302:
            person = User.objects.get(email=email.strip().lower())
            assert kept_as_one_line(person.full_name, full_name)
            assert set(person.roles) == set(roles)
            assert person.organization_id == admin_user.organization_id
        else:
            assert User.objects.count() == before

    in_rollback(post)


@HYPOTHESIS
@given(name=TYPED_TEXT, time_zone=TIME_ZONES, require_mfa=st.sampled_from(["on", "", "yes", "0"]))
def test_organization_settings_never_fail(admin_client, admin_user, organization, name, time_zone, require_mfa):
    mark_reauthenticated(admin_client, admin_user)

    def post():
        response = admin_client.post(
            reverse("organization_settings"),
            {"name": name, "time_zone": time_zone, "require_mfa": require_mfa, "confidentiality_limits": "Limits."},
        )
        assert response.status_code in {200, 302}
        organization.refresh_from_db()
        if response.status_code == 302:
            assert kept_as_one_line(organization.name, name)
        else:
            assert organization.name == "Riverbend Early Childhood"

    in_rollback(post)
