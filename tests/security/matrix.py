"""Who gets what, for every URL of the project: the expected answer per method and persona.

Personas (tests/security/world.py): the owner is a practitioner; the colleague is another
practitioner of the same organization; the supervisor has an active agreement with the
owner, leads their sessions and has the owner's reflection shared with them; the unrelated
supervisor works in the same organization with no part in the owner's work; the admin is the
organization's account administrator (no other role); the stranger belongs to another
organization and holds all three roles there; and anonymous visitors.

Every URL argument names one of the owner's records (tests/security/routes.py ARGUMENTS).

Expected answers:
- a number: that exact status code; 302 means a redirect somewhere other than a sign-in or
  password-confirmation page (the action happened, or the page sent the person on);
- LOGIN: 302 to the sign-in page; ADMIN_LOGIN: 302 to the Django admin's sign-in;
- REAUTH: 302 to allauth's password confirmation.

POSTs carry an empty body: an action without fields happens (302), a form answers with its
errors (200, or 400 where the view says so). Every cell runs in a fresh world.
"""

from tests.security.routes import Route
from tests.security.world import (
    ADMIN,
    ANONYMOUS,
    COLLEAGUE,
    OWNER,
    PERSONAS,
    SIGNED_IN,
    STRANGER,
    SUPERVISOR,
    UNRELATED_SUPERVISOR,
)

GET, POST = "GET", "POST"
LOGIN = "LOGIN"
ADMIN_LOGIN = "ADMIN_LOGIN"
REAUTH = "REAUTH"

Cells = dict[str, int | str]


def everyone(code: int | str, **overrides: int | str) -> Cells:
    """The same answer for every signed-in persona; anonymous visitors are sent to sign in."""
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, f"Unknown personas {unknown}"
    return {**dict.fromkeys(SIGNED_IN, code), ANONYMOUS: LOGIN, **overrides}


def only(**codes: int | str) -> Cells:
    """The personas named get their answer; every other signed-in persona gets 404."""
    return everyone(404, **codes)


def public(code: int | str, **overrides: int | str) -> Cells:
    """The same answer for everyone, anonymous visitors included."""
    return everyone(code, anonymous=code, **overrides)


def admins(code: int | str) -> Cells:
    """Account administration: the administrator of either organization (the stranger sees their own)."""
    return only(admin=code, stranger=code)


MATRIX: dict[str, dict[str, Cells]] = {
    # Home, the health check and the session timer ---------------------------------------
    "home": {GET: everyone(200), POST: everyone(405)},
    "healthz": {GET: public(200), POST: public(405)},
    "session_status": {GET: everyone(200), POST: everyone(405)},
    "session_extend": {GET: everyone(405), POST: everyone(302)},
    # Families: read by the assigned practitioner and their supervisor; changed by the
    # practitioner only. An administrator who does not practise gets no family page at all,
    # only the deleted families' metadata, to restore one.
    "family_list": {GET: everyone(200, admin=404), POST: everyone(405, admin=404)},
    "family_create": {
        GET: only(owner=200, colleague=200, stranger=200),
        POST: only(owner=200, colleague=200, stranger=200),
    },
    "family_deleted_list": {GET: admins(200), POST: admins(405)},
    "family_detail": {GET: only(owner=200, supervisor=200), POST: everyone(405, admin=404)},
    "family_edit": {GET: only(owner=200), POST: only(owner=200)},
    "family_close": {GET: everyone(405, admin=404), POST: only(owner=400)},
    "family_reopen": {GET: everyone(405, admin=404), POST: only(owner=302)},
    "family_delete": {GET: only(owner=200), POST: only(owner=302)},
    "family_restore": {GET: admins(405), POST: only(admin=302)},
    # Agreements: set up by the administrator; read and acknowledged by its two people.
    "agreement_list": {GET: admins(200), POST: admins(405)},
    "agreement_create": {GET: admins(200), POST: admins(200)},
    "agreement_mine": {GET: everyone(200), POST: everyone(405)},
    "agreement_detail": {GET: only(owner=200, supervisor=200, admin=200), POST: everyone(405)},
    "agreement_edit": {GET: only(admin=200), POST: only(admin=200)},
    "agreement_end": {GET: admins(405), POST: only(admin=400)},
    "agreement_acknowledge": {GET: everyone(405), POST: only(owner=302, supervisor=302)},
    # Groups: the facilitator and members read; the administrator sets them up.
    "group_list": {GET: everyone(200), POST: everyone(405)},
    "group_create": {GET: admins(200), POST: admins(200)},
    "group_detail": {GET: only(owner=200, supervisor=200, admin=200), POST: everyone(405)},
    "group_edit": {GET: only(admin=200), POST: only(admin=200)},
    # Sessions: the supervisor leads and changes; participants read and add to the agenda.
    "session_list": {GET: everyone(200), POST: everyone(405)},
    # Everyone who leads or takes part in sessions has a week; an administrator alone has none.
    "session_week": {GET: everyone(200, admin=404), POST: everyone(405)},
    "session_overview": {GET: admins(200), POST: everyone(405)},
    "session_create": {
        GET: only(supervisor=200, unrelated_supervisor=200, stranger=200),
        POST: only(supervisor=200, unrelated_supervisor=200, stranger=200),
    },
    "session_detail": {GET: only(owner=200, supervisor=200), POST: everyone(405)},
    "session_edit": {GET: only(supervisor=200), POST: only(supervisor=200)},
    # A participant of an individual session may cancel it too.
    "session_cancel": {GET: only(owner=200, supervisor=200), POST: only(owner=200, supervisor=200)},
    "session_attendance": {GET: only(supervisor=200), POST: only(supervisor=200)},
    "session_prepare": {GET: only(supervisor=200), POST: everyone(405)},
    "session_document": {GET: only(supervisor=200), POST: only(supervisor=400)},
    "session_versions": {GET: only(owner=200, supervisor=200), POST: everyone(405)},
    "follow_up_create": {GET: everyone(405), POST: only(supervisor=400)},
    "follow_up_delete": {GET: everyone(405), POST: only(supervisor=302)},
    # Only the person a follow-up is for marks it done.
    "follow_up_done": {GET: everyone(405), POST: only(owner=302)},
    "session_sign": {GET: everyone(405), POST: only(supervisor=302)},
    "session_reopen": {GET: only(supervisor=200), POST: only(supervisor=200)},
    # The agenda is set together: the supervisor adds, moves and takes off any item; a
    # participant their own. An empty move (no direction) is a bad request.
    "agenda_add": {GET: everyone(405), POST: only(owner=400, supervisor=400)},
    "agenda_move": {GET: everyone(405), POST: only(owner=400, supervisor=400)},
    "agenda_delete": {GET: everyone(405), POST: only(owner=302, supervisor=302)},
    # Replies under the notes: whoever may read the notes (an empty reply is refused).
    "session_reply_create": {GET: everyone(405), POST: only(owner=400, supervisor=400)},
    # Reflections: the author reads and writes; a supervisor it is shared with reads and
    # responds. Administrators who neither practise nor supervise have no reflection pages.
    "reflection_list": {GET: everyone(200, admin=404), POST: everyone(405)},
    "reflection_create": {GET: everyone(200, admin=404), POST: everyone(200, admin=404)},
    "reflection_children": {GET: everyone(200, admin=404), POST: everyone(405)},
    "reflection_deleted_list": {GET: everyone(200, admin=404), POST: everyone(405)},
    "reflection_insights": {GET: everyone(200, admin=404), POST: everyone(405)},
    "reflection_detail": {GET: only(owner=200, supervisor=200), POST: everyone(405)},
    "reflection_edit": {GET: only(owner=200), POST: only(owner=200)},
    "reflection_share": {GET: only(owner=200), POST: only(owner=200)},
    "reflection_unshare": {GET: everyone(405), POST: only(owner=302)},
    "response_create": {GET: everyone(405), POST: only(owner=400, supervisor=400)},
    "response_draft": {GET: everyone(405), POST: only(owner=200, supervisor=200)},
    "reflection_versions": {GET: only(owner=200, supervisor=200), POST: everyone(405)},
    "reflection_delete": {GET: only(owner=200), POST: only(owner=302)},
    "reflection_restore": {GET: everyone(405), POST: only(owner=302)},
    # The audit trail: administrators, of their own organization.
    "audit_list": {GET: admins(200), POST: admins(405)},
    "audit_export": {GET: admins(200), POST: admins(405)},
    # A person's own data: everyone signed in; the download is a POST.
    "my_data_export": {GET: everyone(200), POST: everyone(200)},
    # Account administration.
    "people_list": {GET: admins(200), POST: admins(405)},
    "person_invite": {GET: admins(200), POST: admins(200)},
    "person_detail": {GET: only(admin=200), POST: admins(405)},
    "person_roles": {GET: admins(405), POST: only(admin=400)},
    "person_deactivate": {GET: admins(405), POST: only(admin=302)},
    "person_reactivate": {GET: admins(405), POST: only(admin=302)},
    "invitation_resend": {GET: admins(405), POST: only(admin=302)},
    "organization_settings": {GET: admins(200), POST: admins(200)},
    "profile": {GET: everyone(200), POST: everyone(200)},
    # Signed in, an invitation link sends the person home ("sign out first").
    "invitation_accept": {GET: everyone(302, anonymous=200), POST: everyone(302, anonymous=200)},
    # allauth (third party): signing in and out, password and two-factor pages, sessions.
    "account_login": {GET: everyone(302, anonymous=200), POST: everyone(302, anonymous=200)},
    "account_logout": {GET: everyone(200, anonymous=302), POST: public(302)},
    "account_inactive": {GET: public(200), POST: public(405)},
    "account_reauthenticate": {GET: everyone(200), POST: everyone(200)},
    "account_change_password": {GET: everyone(200), POST: everyone(200)},
    # Everyone here has a password, so "set a password" sends them to "change it".
    "account_set_password": {GET: everyone(302), POST: everyone(302)},
    "account_reset_password": {GET: public(200), POST: public(200)},
    "account_reset_password_done": {GET: public(200), POST: public(405)},
    # The sample key is not valid: the page says so.
    "account_reset_password_from_key": {GET: public(200), POST: public(200)},
    "account_reset_password_from_key_done": {GET: public(200), POST: public(405)},
    "mfa_index": {GET: everyone(200), POST: everyone(405)},
    # Without a sign-in in progress there is nothing to confirm: on to the home page.
    "mfa_authenticate": {GET: everyone(302), POST: everyone(302)},
    # Nobody here has an authenticator yet: confirming means the password.
    "mfa_reauthenticate": {GET: everyone(REAUTH), POST: everyone(REAUTH)},
    "mfa_activate_totp": {GET: everyone(200), POST: everyone(200)},
    "mfa_deactivate_totp": {GET: everyone(404), POST: everyone(404)},
    "mfa_view_recovery_codes": {GET: everyone(404), POST: everyone(405)},
    "mfa_generate_recovery_codes": {GET: everyone(200), POST: everyone(200)},
    "mfa_download_recovery_codes": {GET: everyone(404), POST: everyone(404)},
    "usersessions_list": {GET: everyone(200), POST: everyone(302)},
}

# The Django admin (third party, for site operators only). Nobody in the personas is staff:
# every page sends them to the admin's sign-in, which refuses a signed-in person who is not
# staff (403). The admin's own pages send anonymous visitors to its sign-in; the model pages
# are behind the project's sign-in first. A model registered later gets the same rule.
ADMIN_SITE_PAGES = {
    "admin:index",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:view_on_site",
    "admin:app_list",
    r"admin:admin/(?P<url>.*)$",
}


def admin_site_rule(route: Route) -> dict[str, Cells]:
    if route.key == "admin:login":
        cells = everyone(403)
    elif route.key == "admin:logout":
        # Not staff: sent to the admin's index (which sends them to its sign-in); nobody is signed out.
        cells = everyone(302, anonymous=ADMIN_LOGIN)
    elif route.key in ADMIN_SITE_PAGES:
        cells = public(ADMIN_LOGIN)
    else:
        cells = everyone(ADMIN_LOGIN)
    return {GET: cells, POST: cells}


# URLs being added by work in progress; the matrix knows them before they exist.
NOT_YET_REQUIRED: set[str] = set()


def expectations_for(route: Route) -> dict[str, Cells] | None:
    if route.key in MATRIX:
        return MATRIX[route.key]
    if route.is_admin:
        return admin_site_rule(route)
    return None


def unmapped(routes: list[Route]) -> list[str]:
    """The URLs the matrix says nothing about."""
    return [f"{route.key} ({route.route})" for route in routes if expectations_for(route) is None]


def stale(routes: list[Route]) -> list[str]:
    """Matrix entries without a URL (a renamed or removed URL, or a typo)."""
    keys = {route.key for route in routes}
    return sorted(set(MATRIX) - keys - NOT_YET_REQUIRED)


# Who may see the owner's words, anywhere (tests/security/world.py MARKERS). Everyone
# else never finds them in any answer. The check-in is for the author's eyes only.
SEEN_BY_SUPERVISOR = {
    "family_code",
    "child_label",
    "caregiver_notes",
    "reflection_title",
    "reflection_text",
    "response_text",
    "session_notes",
    "agenda_text",
    "follow_up_text",
    "reply_text",
}
MAY_SEE = {
    OWNER: "all",
    SUPERVISOR: SEEN_BY_SUPERVISOR,
    # The deleted families' list shows their codes, so an administrator can restore one.
    ADMIN: {"deleted_family_code"},
    COLLEAGUE: set(),
    UNRELATED_SUPERVISOR: set(),
    STRANGER: set(),
    ANONYMOUS: set(),
}
