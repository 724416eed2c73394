"""Settings come from the environment; bad values stop start-up naming the variable."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from rsc import env

UNSET = {"DATABASE_URL", "DEBUG", "SQLITE_PATH", "BEHIND_TLS_PROXY", "TRUSTED_PROXY_COUNT"}


def start_with(code: str = "", **values) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in UNSET}
    environment.update(DJANGO_SETTINGS_MODULE="rsc.settings", **values)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def setting_with(name: str, **values):
    """A setting's value as the app would see it under the given environment."""
    code = f"import json; from django.conf import settings; print(json.dumps(settings.{name}))"
    result = start_with(code, **values)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"SESSION_IDLE_MINUTES": "thirty"}, "SESSION_IDLE_MINUTES must be a whole number"),
        ({"SESSION_IDLE_MINUTES": "1"}, "SESSION_IDLE_MINUTES must be at least 2"),
        ({"SESSION_MAX_HOURS": "0"}, "SESSION_MAX_HOURS must be at least 1"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE must be an IANA time zone"),
        ({"DATABASE_URL": "mysql://localhost/rsc"}, "DATABASE_URL must start with postgres://"),
        ({"DATABASE_URL": "postgres://localhost"}, "DATABASE_URL must name a database"),
        ({"EMAIL_URL": "ftp://mail.example.org"}, "EMAIL_URL must start with smtp://"),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL must start with redis://"),
        ({"EMAIL_PORT": "abc", "EMAIL_HOST": "mail.example.org"}, "EMAIL_PORT must be a whole number"),
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT must be a whole number"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be at least 0"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(values, message):
    result = start_with(**values)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_good_production_values_start():
    result = start_with(DEBUG="0", SECRET_KEY="s" * 64, ALLOWED_HOSTS="rsc.example.org")
    assert result.returncode == 0, result.stderr


def test_database_url_gives_postgresql_with_health_checks():
    config = env.database_from_url("DATABASE_URL", "postgres://rsc:p%40ss@db.internal:5433/rsc")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("rsc", "rsc", "p@ss")
    assert (config["HOST"], config["PORT"]) == ("db.internal", 5433)
    assert config["CONN_HEALTH_CHECKS"] is True


def test_email_url_gives_an_smtp_mailer():
    mailer = env.mailer_from_url("EMAIL_URL", "smtp://me%40example.org:secret@mail.example.org:2525")
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"]["host"] == "mail.example.org"
    assert mailer["OPTIONS"]["port"] == 2525
    assert mailer["OPTIONS"]["username"] == "me@example.org"
    assert mailer["OPTIONS"]["use_tls"] is True
    tls = env.mailer_from_url("EMAIL_URL", "smtps://mail.example.org")
    assert tls["OPTIONS"]["use_ssl"] is True and tls["OPTIONS"]["port"] == 465


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)])
def test_booleans_are_read_generously(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env.env_bool("SOME_FLAG", not expected) is expected


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example.org, b.example.org,,")
    assert env.env_list("ALLOWED_HOSTS", []) == ["a.example.org", "b.example.org"]


def test_missing_values_take_the_default(monkeypatch):
    monkeypatch.delenv("SOME_NUMBER", raising=False)
    assert env.env_int("SOME_NUMBER", 30) == 30
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        monkeypatch.setenv("SOME_NUMBER", "-3")
        env.env_int("SOME_NUMBER", 30, minimum=0)


@pytest.mark.parametrize(
    ("values", "count"),
    [
        ({}, 0),
        ({"TRUSTED_PROXY_COUNT": "2"}, 2),
        # A proxy that terminates TLS is one proxy of the site's own, unless told otherwise.
        ({"BEHIND_TLS_PROXY": "1"}, 1),
        ({"BEHIND_TLS_PROXY": "1", "TRUSTED_PROXY_COUNT": "0"}, 0),
    ],
)
def test_the_trusted_proxy_count_reaches_allauth(values, count):
    assert setting_with("ALLAUTH_TRUSTED_PROXY_COUNT", **values) == count


def test_sqlite_waits_for_the_write_lock_instead_of_failing():
    options = setting_with('DATABASES["default"]["OPTIONS"]')
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


CONCURRENT_WRITES = textwrap.dedent(
    """
    import threading
    from django.db import connection, transaction

    THREADS, ROUNDS = 6, 25
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE tally (id INTEGER PRIMARY KEY, seen INTEGER NOT NULL)")
    errors = []

    def sign_in_many_times():
        from django.db import connection

        try:
            for _ in range(ROUNDS):
                # As a sign-in does: read first, then write, in one transaction.
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM tally")
                    (seen,) = cursor.fetchone()
                    cursor.execute("INSERT INTO tally (seen) VALUES (%s)", [seen])
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in_many_times) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM tally")
        print(cursor.fetchone()[0], errors)
    """
)


def test_concurrent_writes_to_sqlite_are_not_refused_as_locked(tmp_path: Path):
    result = start_with(CONCURRENT_WRITES, SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "150 []"
