import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse


@pytest.fixture
def signed_in(client, practitioner):
    client.force_login(practitioner)
    return client


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("url_name", ["account_login", "healthz"])
def test_public_pages_carry_the_security_headers(client, db, url_name):
    check_headers(client.get(reverse(url_name)))


@pytest.mark.parametrize("url_name", ["home", "profile", "mfa_index", "usersessions_list", "account_change_password"])
def test_signed_in_pages_carry_the_security_headers_and_are_never_cached(signed_in, url_name):
    response = signed_in.get(reverse(url_name))
    assert response.status_code == 200
    check_headers(response)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def check_headers(response) -> None:
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_have_no_inline_script(signed_in):
    for url in [reverse("home"), reverse("profile"), reverse("mfa_index")]:
        content = signed_in.get(url).content.decode()
        assert "<script>" not in content
        assert " on" + "click=" not in content
        for tag in content.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], tag[:200]


def test_cookies_are_http_only_and_same_site(client, practitioner):
    from tests.conftest import PASSWORD

    response = client.post(reverse("account_login"), {"login": practitioner.email, "password": PASSWORD})
    cookie = response.cookies["rsc_session"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_production_values_turn_on_https_protections():
    env = production_env()
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "True", "True", "True"]


def production_env() -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="rsc.settings",
        DEBUG="0",
        SECRET_KEY="x" * 60 + "production-like-secret-key-for-tests",
        ALLOWED_HOSTS="rsc.example.org",
    )
    return env


def test_a_missing_csrf_token_gets_the_friendly_403(practitioner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    response = client.post(reverse("profile"), {"full_name": "X", "time_zone": "UTC"})
    assert response.status_code == 403
    assert "your typing is still in the form" in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.full_name == "Pat Practitioner"


def test_unknown_pages_get_the_friendly_404(signed_in):
    response = signed_in.get("/no-such-page/")
    assert response.status_code == 404
    assert "couldn" in response.content.decode()


STATIC = Path(__file__).resolve().parents[2] / "static"


def test_no_source_maps_are_served():
    assert not [path for path in STATIC.rglob("*") if path.suffix == ".map"]
    for asset in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css")]:
        assert "sourceMappingURL" not in asset.read_text(encoding="utf-8"), asset


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_does_not_name_itself(tmp_path):
    """The deployment's gunicorn (with gunicorn.conf.py, as the README runs it) sends no Server header."""
    root = STATIC.parent
    port = free_port()
    env = production_env()
    env.update(ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0", SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    command = [sys.executable, "-m", "gunicorn", "rsc.wsgi", "--config", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30"]
    with (tmp_path / "gunicorn.log").open("w") as log:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            headers = healthz_headers(server, f"http://127.0.0.1:{port}/healthz")
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    assert headers is not None, (tmp_path / "gunicorn.log").read_text()
    assert "server" not in {name.lower() for name in headers}, headers.items()
    assert "X-Request-ID" in headers


def healthz_headers(server: subprocess.Popen, url: str):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a loopback URL
                return response.headers
        except OSError:
            time.sleep(0.2)
    return None
