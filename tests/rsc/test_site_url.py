"""Links in emails are built from SITE_URL: in development, a server started by hand on another port
than SITE_URL's is warned about at start-up (`make run PORT=...` sets SITE_URL itself)."""

import subprocess
from pathlib import Path

import pytest
from django.core import checks

from rsc.checks import runserver_address, site_url_matches_the_development_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def development(settings, monkeypatch):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8000"
    monkeypatch.delenv("SITE_URL", raising=False)
    return settings


def warnings_for(monkeypatch, *argv: str) -> list[checks.CheckMessage]:
    monkeypatch.setattr("sys.argv", ["manage.py", *argv])
    return site_url_matches_the_development_server()


@pytest.mark.parametrize(
    "argv",
    [
        ("runserver", "8001"),
        ("runserver", "127.0.0.1:8001", "--noreload"),
        ("runserver", "--noreload", "0.0.0.0:9000"),
        ("runserver", "rsc.example.org:8000"),
    ],
)
def test_a_development_server_where_links_do_not_lead_is_warned_about(development, monkeypatch, argv):
    [warning] = warnings_for(monkeypatch, *argv)
    assert warning.id == "rsc.W001"
    assert warning.level == checks.WARNING
    assert "will point to http://127.0.0.1:8000" in warning.msg
    assert "SITE_URL is not set" in warning.hint
    assert "make run PORT=" in warning.hint


def test_the_warning_names_the_port_to_use(development, monkeypatch):
    [warning] = warnings_for(monkeypatch, "runserver", "8001")
    assert warning.msg.endswith("not to this server at 127.0.0.1:8001.")
    assert "`make run PORT=8001`" in warning.hint
    assert "SITE_URL=http://127.0.0.1:8001" in warning.hint


@pytest.mark.parametrize(
    "argv",
    [
        ("runserver",),
        ("runserver", "8000"),
        ("runserver", "localhost:8000"),
        ("runserver", "0.0.0.0:8000"),
        ("migrate",),
        ("db_worker", "--queue-name", "*"),
        ("runserver", "not-an-address"),
    ],
)
def test_no_warning_when_links_lead_to_the_server_or_no_server_starts(development, monkeypatch, argv):
    assert warnings_for(monkeypatch, *argv) == []


def test_no_warning_once_site_url_is_set_or_in_production(development, monkeypatch):
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8001")
    assert warnings_for(monkeypatch, "runserver", "8001") == []
    monkeypatch.delenv("SITE_URL")
    development.DEBUG = False
    assert warnings_for(monkeypatch, "runserver", "8001") == []


def test_the_check_is_registered(development, monkeypatch):
    monkeypatch.setattr("sys.argv", ["manage.py", "runserver", "8001"])
    assert "rsc.W001" in [message.id for message in checks.run_checks()]


def test_runserver_address_reads_the_command_line():
    assert runserver_address(["manage.py", "runserver"]) == ("127.0.0.1", 8000)
    assert runserver_address(["manage.py", "runserver", "8001"]) == ("127.0.0.1", 8001)
    assert runserver_address(["manage.py", "runserver", "[::1]:8002"]) == ("[::1]", 8002)
    assert runserver_address(["manage.py", "check"]) is None


def test_make_run_sets_site_url_from_host_and_port_and_the_readme_says_so():
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export SITE_URL ?= http://$(HOST):$(PORT)" in makefile
    # `make -n` prints the commands without running them.
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "PORT=8001"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert "runserver 127.0.0.1:8001" in result.stdout
    readme = (ROOT / "README.md").read_text()
    assert "make run PORT=8001" in readme
    assert "manage.py runserver" in readme and "SITE_URL" in readme
