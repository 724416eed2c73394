"""Requests no browser sends, from people probing the site: a clear 4xx, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.world import build_world

FORM = "application/x-www-form-urlencoded"
NOT_UTF8 = ["utf-16", "latin-1", "UTF-16LE", "utf8"]


def client_with_token(user=None) -> tuple[Client, str]:
    """A client that checks CSRF as a real browser session would, holding a valid token."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(reverse("profile" if user else "account_login"))
    return client, client.cookies["rsc_csrftoken"].value


def post_form(client: Client, url: str, body: bytes, content_type: str, token: str, *, in_header: bool):
    extra = {"HTTP_X_CSRFTOKEN": token} if in_header else {}
    return client.generic("POST", url, body, content_type=content_type, **extra)


def assert_friendly_400(response) -> None:
    assert response.status_code == 400
    assert "Something in that request was wrong" in response.content.decode()
    # Still a page of this site, with its headers.
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("charset", NOT_UTF8)
@pytest.mark.parametrize("in_header", [False, True])
def test_a_sign_in_form_declaring_another_charset_is_refused_with_400(db, charset, in_header):
    client, token = client_with_token()
    body = f"csrfmiddlewaretoken={token}&login=a%40b.example&password=x".encode()
    response = post_form(
        client, reverse("account_login"), body, f"{FORM}; charset={charset}", token, in_header=in_header
    )
    assert_friendly_400(response)


@pytest.mark.parametrize("url_name", ["profile", "session_extend", "home"])
@pytest.mark.parametrize("charset", ["utf-16", "latin-1"])
def test_a_signed_in_form_declaring_another_charset_is_refused_with_400(practitioner, url_name, charset):
    client, token = client_with_token(practitioner)
    body = f"csrfmiddlewaretoken={token}&full_name=X&time_zone=UTC".encode(
        "utf-16" if charset == "utf-16" else "latin-1"
    )
    response = post_form(client, reverse(url_name), body, f"{FORM}; charset={charset}", token, in_header=True)
    assert_friendly_400(response)
    practitioner.refresh_from_db()
    assert practitioner.full_name == "Pat Practitioner"


def test_a_form_declaring_another_charset_to_an_unknown_page_is_not_an_error(practitioner):
    client, token = client_with_token(practitioner)
    response = post_form(
        client,
        "/no-such-page/",
        f"csrfmiddlewaretoken={token}".encode(),
        f"{FORM}; charset=latin-1",
        token,
        in_header=False,
    )
    assert response.status_code in {400, 404}


def test_an_unknown_charset_is_ignored_and_the_form_read_as_utf8(practitioner):
    client, token = client_with_token()
    body = f"csrfmiddlewaretoken={token}&login={practitioner.email}&password=wrong-guess-1".encode()
    response = post_form(client, reverse("account_login"), body, f"{FORM}; charset=bogus", token, in_header=False)
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=xx; charset=utf-16",
        "multipart/form-data; charset=bogus; boundary=xx",
        "multipart/form-data; charset=latin-1; boundary=xx",
        "multipart/form-data",  # no boundary: Django cannot parse it
        "multipart/form-data; boundary=",
    ],
)
@pytest.mark.parametrize("in_header", [False, True])
def test_odd_multipart_bodies_get_no_500(practitioner, content_type, in_header):
    client, token = client_with_token(practitioner)
    body = (
        b'--xx\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        + token.encode()
        + b'\r\n--xx\r\nContent-Disposition: form-data; name="full_name"\r\n\r\nA\xff\xfe\xe9\r\n--xx--\r\n'
    )
    response = post_form(client, reverse("profile"), body, content_type, token, in_header=in_header)
    assert response.status_code < 500


def test_too_many_fields_are_refused_with_400(practitioner, settings):
    client, token = client_with_token(practitioner)
    body = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)).encode()
    response = post_form(client, reverse("profile"), body, FORM, token, in_header=True)
    assert_friendly_400(response)


SITE_PATHS = [
    ("/families/", "/families/"),
    ("/reflections/?page=2", "/reflections/?page=2"),
    # A line break cannot add a header: it is escaped in the address.
    ("/a\r\nSet-Cookie: x=1", "/a%0D%0ASet-Cookie:%20x=1"),
]
# Not a path of this site (a bare word would be taken for a URL name): back to the home page.
NOT_A_PATH = [
    "foo",
    "home",
    "session_status",
    "foo.html",
    "./x",
    "//evil.example/",
    "/\\evil.example/",
    "/\t/evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "",
]


@pytest.mark.parametrize(("target", "expected"), [*SITE_PATHS, *((target, "/") for target in NOT_A_PATH)])
def test_staying_signed_in_returns_only_to_a_path_of_this_site(practitioner, client, target, expected):
    client.force_login(practitioner)
    response = client.post(reverse("session_extend"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize(("target", "expected"), [*SITE_PATHS, *((target, "/") for target in NOT_A_PATH)])
def test_marking_a_follow_up_done_returns_only_to_a_path_of_this_site(world, target, expected):
    response = world.client_for("owner").post(
        reverse("follow_up_done", args=[world.follow_up.pk]), {"done": "1", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == expected
