"""Bounded security scans of RSC Records with sqlmap and wapiti: `make scan`.

Starts the app on 127.0.0.1 with a throwaway SQLite database full of demo data and production-like
settings (DEBUG off), signs in over HTTP as the demo practitioner, supervisor and administrator,
and runs sqlmap and wapiti against their pages that have forms or search: wapiti in the first demo
organization and sqlmap in the second, side by side, each within the time budget.

Exit status: 0 when nothing was found, 1 on any finding, 2 when the scan itself could not run as
intended (setup failed, a scanner failed, or a scanner lost its sign-in). The server and the
temporary files are always removed; reports stay in scan-results/ (summary.txt first).

Standard library only; run it with the project's Python (`.venv/bin/python scripts/scan.py`).
sqlmap and wapiti come from .venv-scan (requirements-scan.txt), kept apart from the app's venv.

Environment:
    SCAN_MINUTES   time budget for the scanners (default 9; setting up adds about half a minute)
    SCAN_VENV      venv holding sqlmap and wapiti (default .venv-scan)
    SCAN_OUTPUT    where reports go (default scan-results; emptied at the start of each scan)
"""

from __future__ import annotations

import concurrent.futures
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SESSION_COOKIE = "rsc_session"
CSRF_COOKIE = "rsc_csrftoken"
CSRF_FIELD = "csrfmiddlewaretoken"

MINUTES = float(os.environ.get("SCAN_MINUTES") or 9)
SCAN_VENV = Path(os.environ.get("SCAN_VENV") or ROOT / ".venv-scan")
OUTPUT = Path(os.environ.get("SCAN_OUTPUT") or ROOT / "scan-results")

# The two scanners run side by side, each in its own demo organization (see
# rsc/management/commands/seed_demo.py): what one saves never shows on the pages the other compares
# (organizations see nothing of each other), so neither mistakes the other's records for a sign of
# injection. In each, the demo practitioner, supervisor and administrator take turns, in this order.
ROLES = ["practitioner", "supervisor", "admin"]
ORGANIZATIONS = {"wapiti": "demo.example", "sqlmap": "second.example"}


def login_for(scanner: str, role: str) -> str:
    return f"{role}@{ORGANIZATIONS[scanner]}"


# A page only that role may open: if it stops answering 200, the scanner lost the sign-in or role
# and its results do not cover what they should.
CANARY = {"practitioner": "/reflections/new/", "supervisor": "/sessions/new/", "admin": "/people/"}

# Pages with forms or search, for each person. Each page lists the form actions to test on it
# (by default the page's own address). {session} and {reflection} become the first such record
# (from RECORDS) whose page has that form. A page that does not exist (404) is skipped with a note.
PAGES: dict[str, list[tuple[str, list[str]]]] = {
    "practitioner": [
        ("/reflections/", []),  # search
        ("/families/", []),  # search and filters
        ("/reflections/new/", []),
        ("/families/new/", []),
        ("/sessions/{session}/", ["/sessions/{session}/agenda/"]),
        ("/reflections/{reflection}/", ["/reflections/{reflection}/responses/"]),
        ("/profile/", []),
    ],
    "supervisor": [
        ("/reflections/", []),
        ("/sessions/new/", []),
        ("/sessions/{session}/notes/", ["/sessions/{session}/notes/", "/sessions/{session}/follow-ups/"]),
        ("/reflections/{reflection}/", ["/reflections/{reflection}/responses/"]),
    ],
    "admin": [
        ("/people/", []),  # search and filters
        ("/agreements/", []),
        ("/audit/", []),  # the audit trail viewer's filters
        ("/sessions/overview/", []),
        ("/people/invite/", []),
        ("/groups/new/", []),
        ("/agreements/new/", []),
        ("/organization/", []),
    ],
}
# Values a form needs to be accepted, where the defaults (the browser's, or the first choice of each
# list) are not enough; the scanners should reach the code that saves, not only the form's errors.
# None leaves the field out, as the page's script does.
FORM_VALUES: dict[str, dict[str, str | None]] = {
    # One session with one person: no group, no repeats (count and end only go with a series).
    "/sessions/new/": {"group": "", "repeat": "", "count": None, "until": None},
    "/people/invite/": {"roles": "practitioner"},  # at least one role
}
# Fields that must be unique: sqlmap makes them so on every request (keeping its payload), or only
# its first request would be saved and the rest refused as duplicates.
UNIQUE_FIELDS = {"/families/new/": "code", "/groups/new/": "name", "/people/invite/": "email"}
# Query strings that links carry but no form offers; sqlmap tests them as they are.
LINKS = {
    "practitioner": ["/sessions/?when=past&page=1"],
    "supervisor": ["/sessions/week/?week={today}", "/agreements/mine/?page=1"],
    "admin": ["/families/deleted/?page=1"],
}
# Where to find candidates for the placeholders above.
RECORDS = {
    "session": (["/sessions/", "/sessions/?when=past"], r'href="/sessions/(\d+)/"'),
    "reflection": (["/reflections/"], r'href="/reflections/(\d+)/'),
}

# Never submitted by either scanner:
NEVER = [
    "/accounts/logout/",  # would end the scanner's session
    "/session/extend/",  # only pushes the idle timeout back; nothing to inject
    # A wrong password here counts as a failed sign-in: wapiti's guesses lock the account for minutes.
    "/accounts/reauthenticate/",
]
# Not crawled by wapiti: buttons that only change a record's state (no text to inject, so nothing
# for the scanners to find) but that would take the record away from the rest of the scan.
WAPITI_SKIP = [
    "*/delete/*",
    "*/restore/*",
    "*/close/*",
    "*/reopen/*",
    "*/cancel/*",
    "*/sign/*",
    "*/unshare/*",
    "*/done/*",
    "*/deactivate/*",
    "*/reactivate/*",
    "*/resend-invitation/*",
    "*/acknowledge/*",
    "*/sessions/week/?*",  # previous/next week links go on forever
]
# Wapiti fills every checkbox it sees. On /organization/ that would tick "require two-factor
# authentication" and send everyone, the scanners included, to the authenticator set-up page. So
# the crawl leaves it out and it is attacked on its own with the values a browser sends (box unticked).
WAPITI_ALONE = {"admin": ["/organization/"]}

# Wapiti modules. Left out: ssrf, log4shell, xxe and the like need an outside callback server (no
# outside network here); timesql, buster, nikto, backup and brute_login_form take long and target
# other kinds of apps; ssl, https_redirect and unsecure_password test HTTPS, which this local HTTP
# run cannot have (check --deploy covers those settings); upload: the app takes no files.
WAPITI_ATTACKS = ["xss", "permanentxss", "sql", "exec", "file", "redirect", "crlf", "csrf"]
WAPITI_PASSIVE = [
    "http_headers",
    "csp",
    "cookieflags",
    "information_disclosure",
    "stacktrace_disclosure",
    "inconsistent_redirection",
]
# Wapiti reports that are expected in this setup and are not flaws of the app. Each is narrow:
# (category, regular expression the finding's path must match, regular expression its text must match).
ACCEPTED = [
    # Plain HTTP on the loopback address means cookies without Secure; production sets
    # SECURE_COOKIES (on whenever DEBUG is off, checked by `make check-deploy`).
    ("Secure Flag cookie", r".*", r"Secure flag is not set on the cookie"),
    # The CSRF cookie must be readable by the autosave script (data-csrf-cookie); Django notes that
    # HttpOnly on it protects nothing. The session cookie stays HttpOnly and is not accepted here.
    ("HttpOnly Flag cookie", r".*", rf"on the cookie '{CSRF_COOKIE}'"),
    # Static files (CSS, JavaScript, icons) come from WhiteNoise without the page headers. They have
    # nothing to click, so framing them is harmless; every page has X-Frame-Options DENY and a CSP.
    ("Clickjacking Protection", r"^/static/", r".*"),
    ("Content Security Policy Configuration", r"^/static/", r".*"),
    ("MIME Type Confusion", r"^/static/", r".*"),
    # HSTS is only sent over HTTPS; production sends it (SECURE_HSTS_SECONDS, checked by check-deploy).
    ("HTTP Strict Transport Security (HSTS)", r".*", r".*"),
]
# Wapiti "anomalies" that fail the scan; others (such as slow answers under attack) are listed only.
FAILING_ANOMALIES = ["Internal Server Error"]
# Fields that carry the version of the record being edited: the app refuses (409) a save made from
# an older version, so sqlmap reads the current value before each request, as it would a token.
LOCK_FIELDS = ("version",)
# Parameters neither scanner attacks: the CSRF token (it must stay valid) and the bookkeeping fields
# of Django formsets, which Django itself reads as numbers (attacking them tests Django, three
# times over on a form with three formsets).
SKIPPED_PARAMETER = re.compile(rf"^({CSRF_FIELD}|.+-(TOTAL_FORMS|INITIAL_FORMS|MIN_NUM_FORMS|MAX_NUM_FORMS))$")

# Settings the app reads from the environment that must not leak in from the caller's shell: the
# scan always runs on its own SQLite file, in-process cache and console email.
APP_SETTINGS = [
    "DATABASE_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "CSRF_TRUSTED_ORIGINS",
    "BEHIND_TLS_PROXY",
    "TRUSTED_PROXY_COUNT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
    "LOGIN_ATTEMPTS_LIMIT",
    "LOGIN_ATTEMPTS_TIMEOUT",
    "TIME_ZONE",
    "DJANGO_SETTINGS_MODULE",
]

# The app's settings, with two changes for the scan only. (Several scanners write at once: the
# app's own SQLite options already make writers wait for the lock instead of failing.)
SCAN_SETTINGS = """from rsc.settings import *  # noqa: F403

# Collected static files go to the temporary directory too.
STATIC_ROOT = {static_root!r}
# A person confirms their password again after 5 minutes; a scanner cannot, and would test the
# confirmation page instead of the administrator's forms. The confirmation lasts the whole scan.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 3600
"""

_print_lock = threading.Lock()
# Scanner processes still running, so that an interrupted scan can end them (each runs in a process
# group of its own, out of reach of the terminal's Ctrl-C).
_running: set[subprocess.Popen] = set()
_running_lock = threading.Lock()
_stopping = threading.Event()


def log(message: str) -> None:
    with _print_lock:
        print(f"[scan {time.strftime('%H:%M:%S')}] {message}", flush=True)


class ScanError(Exception):
    """The scan itself could not run as intended (not a finding)."""


class Interrupted(Exception):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run_bounded(command: list[str], log_path: Path, timeout: float, env: dict | None = None) -> int | None:
    """Run a scanner with its output in log_path; kill it (and its children) after timeout seconds.

    Returns the exit status, or None when it had to be killed."""
    with log_path.open("w") as out, _running_lock:
        if _stopping.is_set():
            raise Interrupted
        # Fixed executables from our own venvs, no shell.
        process = subprocess.Popen(  # noqa: S603
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
        _running.add(process)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        stop_process(process)
        with _running_lock:
            _running.discard(process)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def stop_scanners() -> None:
    with _running_lock:
        _stopping.set()
        for process in list(_running):
            stop_process(process)


# --- The app -----------------------------------------------------------------------------------


class App:
    """The app on a throwaway SQLite database with demo data, served by gunicorn."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.password = secrets.token_urlsafe(18)
        self.process: subprocess.Popen | None = None
        self.server_log = OUTPUT / "server.log"
        # DEBUG off, as in production, but over plain HTTP on the loopback address: no HTTPS
        # redirect and cookies without the Secure flag.
        self.env = {key: value for key, value in os.environ.items() if key not in APP_SETTINGS}
        self.env.update(
            {
                "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": HOST,
                "SECURE_SSL_REDIRECT": "0",
                "SECURE_COOKIES": "0",
                "SQLITE_PATH": str(workdir / "db.sqlite3"),
                "SITE_URL": self.base,
                "LOG_LEVEL": "WARNING",
                "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
                "DJANGO_SETTINGS_MODULE": "scan_settings",
            }
        )
        (workdir / "scan_settings.py").write_text(SCAN_SETTINGS.format(static_root=str(workdir / "staticfiles")))

    def manage(self, *args: str) -> None:
        command = [sys.executable, "manage.py", *args]
        result = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode:
            raise ScanError(f"manage.py {args[0]} failed:\n{result.stdout}{result.stderr}")

    def prepare(self) -> None:
        log("Creating a throwaway SQLite database with demo data")
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage("seed_demo", "--force", "--password", self.password)

    def start(self) -> None:
        log(f"Starting the app with gunicorn at {self.base} (DEBUG=0)")
        command = [sys.executable, "-m", "gunicorn", "rsc.wsgi", "--bind", f"{HOST}:{self.port}"]
        command += ["--workers", "4", "--timeout", "60", "--access-logfile", "-"]
        with self.server_log.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ScanError(f"gunicorn exited with status {self.process.returncode}; see {self.server_log}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise ScanError("the app did not answer /healthz within 60 seconds")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def server_errors(self) -> dict[str, int]:
        """'METHOD /path' of every 5xx answer in the access log, with how many times."""
        errors: dict[str, int] = {}
        line_format = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (5\d\d) ')
        for line in self.server_log.read_text(errors="replace").splitlines():
            match = line_format.search(line)
            if match:
                key = f"{match.group(1)} {match.group(2).split('?')[0]} -> {match.group(3)}"
                errors[key] = errors.get(key, 0) + 1
        return errors


# --- Signing in and reading pages --------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """Just enough of a browser to sign in and read pages: cookies, CSRF token, forms and links."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, data: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        """Status, redirect target (redirects are not followed) and body."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310 (http to our own server)
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={self.cookie(name)}" for name in (SESSION_COOKIE, CSRF_COOKIE))

    def _post_form(self, path: str, values: dict[str, str]) -> tuple[int, str]:
        status, _, page = self.request(path)
        token = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', page)
        if status != 200 or not token:
            raise ScanError(f"no form at {path} (HTTP {status})")
        status, location, _ = self.request(path, [(CSRF_FIELD, token.group(1)), *values.items()])
        return status, location

    def sign_in(self, email: str, password: str) -> None:
        status, location = self._post_form("/accounts/login/", {"login": email, "password": password})
        if status != 302 or not self.cookie(SESSION_COOKIE) or "/accounts/" in location:
            raise ScanError(f"signing in as {email} failed (HTTP {status}, to {location or 'nowhere'})")

    def confirm_password(self, password: str) -> None:
        """Administrators' changes need a password confirmed in the last 5 minutes (allauth)."""
        status, location = self._post_form("/accounts/reauthenticate/", {"password": password})
        if status != 302 or "/accounts/" in location:
            raise ScanError(f"confirming the password failed (HTTP {status}, to {location or 'nowhere'})")

    def can_open(self, path: str) -> bool:
        status, location, _ = self.request(path)
        return status == 200 and not location


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def params(self) -> list[str]:
        return [name for name, _ in self.fields if name != CSRF_FIELD]


class FormParser(HTMLParser):
    """The forms of a page, each with what a browser submits by default, blank inputs filled in."""

    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, option values, selected ones
        self._textarea: str | None = None
        self._text: list[str] = []
        self._button = False
        self._fill = {
            "email": "scan@example.org",
            "date": time.strftime("%Y-%m-%d"),
            "month": time.strftime("%Y-%m"),
            "time": "10:00",
            "number": "1",
        }

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urllib.parse.urljoin(self.page_path, a.get("action") or self.page_path)
            self._form = Form(action=urllib.parse.urlsplit(action).path, method=(a.get("method") or "get").upper())
            self._button = False
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None and "disabled" not in a:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        elif "disabled" in a or not a.get("name"):
            return
        elif tag == "input":
            self._input(a["name"], a.get("type", "text").lower(), a)
        elif tag == "button" and a.get("type", "submit") == "submit" and not self._button:
            self._form.fields.append((a["name"], a.get("value", "")))
            self._button = True
        elif tag == "select":
            self._select = (a["name"], [], [])
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def _input(self, name: str, kind: str, a: dict[str, str]) -> None:
        if kind in ("checkbox", "radio"):
            if "checked" in a:  # as a browser does: unticked boxes are not sent
                self._form.fields.append((name, a.get("value", "on")))
        elif kind in ("submit", "image"):
            if not self._button:
                self._form.fields.append((name, a.get("value", "")))
                self._button = True
        elif kind not in ("reset", "button", "file"):
            value = a.get("value", "")
            if not value and self._form.method == "POST" and kind != "hidden":
                value = self._fill.get(kind, "scan")
            elif not value and kind in ("text", "search"):
                value = "a"  # a search that finds something, so that a changed answer shows
            self._form.fields.append((name, value))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "form":
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text).strip() or ("scan" if self._form.method == "POST" else "")
            self._form.fields.append((self._textarea, text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, values, selected = self._select
            # Search forms keep their default ("any"); other forms take a real choice so they validate.
            if self._form.method == "POST":
                chosen = [v for v in selected if v][:1] or [v for v in values if v][:1]
            else:
                chosen = selected[:1] or values[:1]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None


Page = tuple[str, Form]  # a page and one form on it


def forms_on(page: str, html: str) -> list[Form]:
    parser = FormParser(page)
    parser.feed(html)
    return parser.forms


def prepare_form(form: Form) -> Form:
    """Apply FORM_VALUES; keep one row of each Django formset (extra rows repeat the same fields)."""
    values = dict(FORM_VALUES.get(form.action, {}))
    fields = []
    for name, value in [*form.fields, *((n, v) for n, v in values.items() if n not in dict(form.fields))]:
        value = values.get(name, value)
        if value is None:
            continue
        row = re.match(r"(.+)-(\d+)-[^-]+$", name)
        if row and row.group(2) != "0":
            continue
        if name.endswith("-TOTAL_FORMS"):
            value = "1"
        fields.append((name, value))
    return Form(form.action, form.method, fields)


# --- Targets -----------------------------------------------------------------------------------


@dataclass
class Target:
    role: str
    method: str
    path: str
    fields: list[tuple[str, str]]  # query string (GET) or body (POST)
    page: str = ""  # the page the form is on, for a fresh CSRF token

    @property
    def label(self) -> str:
        tested = [name for name, _ in self.fields if not SKIPPED_PARAMETER.search(name)]
        return f"{self.role}: {self.method} {self.path} ({len(tested)} parameters)"

    def url(self, base: str) -> str:
        query = urllib.parse.urlencode(self.fields) if self.method == "GET" else ""
        return base + self.path + (f"?{query}" if query else "")


def resolve_pages(browser: Browser, role: str, notes: list[str]) -> list[Page]:
    """The pages of PAGES[role] with their placeholders filled in, each with the forms to test."""
    found: list[Page] = []
    for page_template, action_templates in PAGES[role]:
        actions = action_templates or [page_template]
        placeholders = set(re.findall(r"\{(\w+)\}", page_template))
        candidates = [{}]
        for name in placeholders:
            lists, pattern = RECORDS[name]
            ids: list[str] = []
            for listing in lists:
                _, _, html = browser.request(listing)
                ids += [i for i in re.findall(pattern, html) if i not in ids]
            candidates = [{name: i} for i in ids[:20]]
        for values in candidates:
            page = page_template.format(**values)
            status, location, html = browser.request(page)
            if status == 404 and not placeholders:
                notes.append(f"{role}: {page} does not exist (404); skipped")
                break
            wanted = [action.format(**values) for action in actions]
            forms = [f for f in forms_on(page, html) if f.action in wanted and f.params()]
            if status == 200 and not location and len(forms) == len(wanted):
                found += [(page, prepare_form(f)) for f in forms]
                break
        else:
            notes.append(f"{role}: no page like {page_template} with the form(s) {', '.join(actions)}; skipped")
    return found


def sqlmap_targets(pages: list[Page], role: str) -> list[Target]:
    targets = [Target(role, form.method, form.action, form.fields, page) for page, form in pages]
    for link in LINKS[role]:
        path, _, query = link.format(today=time.strftime("%Y-%m-%d")).partition("?")
        targets.append(Target(role, "GET", path, urllib.parse.parse_qsl(query, keep_blank_values=True)))
    return targets


def fresh_fields(browser: Browser, target: Target) -> list[tuple[str, str]]:
    """The target's fields with this session's CSRF token (it is tied to the session's CSRF cookie)
    and the record's current version number."""
    if not any(name in (CSRF_FIELD, *LOCK_FIELDS) for name, _ in target.fields):
        return target.fields
    _, _, html = browser.request(target.page)
    current = {name: value for form in forms_on(target.page, html) for name, value in form.fields}
    if CSRF_FIELD not in current:
        raise ScanError(f"no CSRF token on {target.page} for {target.role}")
    fresh = (CSRF_FIELD, *LOCK_FIELDS)
    return [(name, current.get(name, value) if name in fresh else value) for name, value in target.fields]


def check_baseline(browser: Browser, target: Target, fields: list[tuple[str, str]]) -> str | None:
    """Send the unmodified request once: a refusal here means the scanner would test nothing."""
    if target.method == "GET":
        status, location, _ = browser.request(target.url(""))
    else:
        status, location, _ = browser.request(target.path, fields)
    if status in (401, 403, 405) or status >= 500 or "/accounts/" in location:
        return f"the unmodified request was refused (HTTP {status}{', to ' + location if location else ''})"
    return None


# --- sqlmap --------------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    findings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the scanner did not run as intended
    notes: list[str] = field(default_factory=list)


def run_sqlmap(app: App, target: Target, number: int, deadline: float) -> Result:
    result = Result(f"sqlmap {target.label}")
    seconds = deadline - time.monotonic()
    if seconds < 20:
        result.notes.append("not tested: the time budget ran out (raise SCAN_MINUTES)")
        return result
    # A fresh session, so that nothing left over from the previous target gets in the way.
    browser = Browser(app.base)
    browser.sign_in(login_for("sqlmap", target.role), app.password)
    if target.role == "admin" and target.method == "POST":
        browser.confirm_password(app.password)
    fields = fresh_fields(browser, target)
    refused = check_baseline(browser, target, fields)
    if refused:
        result.problems.append(refused)
        return result
    slug = re.sub(r"[^a-z0-9]+", "-", target.path).strip("-")
    folder = OUTPUT / "sqlmap" / f"{number:02d}-{target.role}-{slug}"
    folder.mkdir(parents=True)
    report = folder / "report.json"
    command = [str(SCAN_VENV / "bin" / "sqlmap"), "-u", target.url(app.base)]
    if target.method == "POST":
        command += ["--data", urllib.parse.urlencode(fields)]
    for name in LOCK_FIELDS:
        if any(field_name == name for field_name, _ in fields):
            command += ["--csrf-token", name, "--csrf-url", app.base + target.page]
    env = dict(os.environ)
    if target.path in UNIQUE_FIELDS:
        name = UNIQUE_FIELDS[target.path]
        command += ["--eval", f"import secrets; {name} = {name}.replace('scan', 'scan' + secrets.token_hex(4), 1)"]
        env["SQLMAP_UNSAFE_EVAL"] = "1"  # sqlmap's guard against --eval code it did not get from us
    command += [
        "--cookie",
        browser.cookie_header(),
        # The CSRF token stays valid for the whole session, so it is sent as it is and not tested;
        # the cookies are the session itself.
        "--skip",
        f"{CSRF_FIELD},{SESSION_COOKIE},{CSRF_COOKIE},messages",
        "--param-exclude",
        SKIPPED_PARAMETER.pattern,
        # Searches and filters end up in WHERE ... LIKE '%...%': level 2 has the boundaries that find
        # an injection there (level 1 does not). Forms that save end up in INSERT or UPDATE, which
        # level 1 covers; level 2 would take ten times as long there.
        "--level",
        "2" if target.method == "GET" else "1",
        "--risk",
        "1",
        # The scanned app runs on SQLite: only SQLite and generic payloads (ten times faster).
        "--dbms",
        "SQLite",
        "--batch",
        # After a POST the app redirects to the saved record: fetch it as a browser does (GET),
        # rather than sending the form again to the new address.
        "--answers",
        "resend=N",
        "--flush-session",
        "--disable-coloring",
        "--time-limit",
        str(int(seconds)),
        "--output-dir",
        str(folder),
        "--report-json",
        str(report),
    ]
    began = time.monotonic()
    status = run_bounded(command, folder / "sqlmap.log", timeout=seconds + 30, env=env)
    output = (folder / "sqlmap.log").read_text(errors="replace")
    if status != 0 or not report.exists():
        critical = re.findall(r"\[CRITICAL\] (.*)", output)
        reason = critical[-1] if critical else f"exit status {status}"
        result.problems.append(f"sqlmap failed: {reason}; see {folder / 'sqlmap.log'}")
    if report.exists():
        data = json.loads(report.read_text())
        for item in data.get("data", []):
            if item.get("type_name") == "TECHNIQUES":
                for point in item.get("value") or []:
                    for technique in point.get("data", []):
                        result.findings.append(
                            f"SQL injection in {point.get('place')} parameter {point.get('parameter')!r} "
                            f"({technique.get('title')}); payload: {technique.get('payload')}"
                        )
        result.problems += [f"sqlmap error: {error}" for error in data.get("error", [])]
    if not result.findings and "all tested parameters do not appear to be injectable" not in output:
        # sqlmap says nothing when --time-limit stops it.
        if time.monotonic() - began >= seconds - 5:
            result.notes.append("stopped by the time budget before every parameter was tested (raise SCAN_MINUTES)")
        elif not result.problems:
            last = re.findall(r"\[CRITICAL\] (.*)", output)
            result.problems.append(f"sqlmap stopped early: {last[-1] if last else 'see ' + str(folder / 'sqlmap.log')}")
    # Refused (CSRF, lost sign-in or password confirmation): sqlmap tested the refusal, not the form.
    refusals = re.findall(
        r"HTTP error code \((40[13])\)|\n(40[13]) \(\w+\) - \d+ times|redirect to '[^']*(/accounts/\w+/)", output
    )
    if refusals:
        reason = " ".join(part for part in refusals[0] if part)
        result.problems.append(f"the app refused sqlmap's requests ({reason}); see {folder / 'sqlmap.log'}")
    if not browser.can_open(CANARY[target.role]):
        result.problems.append(f"the session was lost during the test (cannot open {CANARY[target.role]})")
    return result


# --- wapiti ------------------------------------------------------------------------------------


def run_wapiti(app: App, role: str, pages: list[Page], seconds: float, workdir: Path) -> list[Result]:
    """Wapiti as this person: the crawl of their pages, then each page of WAPITI_ALONE on its own."""
    browser = Browser(app.base)
    browser.sign_in(login_for("wapiti", role), app.password)
    if role == "admin":
        browser.confirm_password(app.password)
    alone = [form for page, form in pages if page in WAPITI_ALONE.get(role, []) and form.method == "POST"]
    start = sorted({page for page, _ in pages} - set(WAPITI_ALONE.get(role, [])))
    skipped = sorted({name for _, form in pages for name, _ in form.fields if SKIPPED_PARAMETER.search(name)})
    crawl_seconds = seconds * (0.8 if alone else 1)
    results = [
        _wapiti(app, browser, role, start, skipped, crawl_seconds, workdir, name=role),
    ]
    for form in alone:
        target = Target(role, "POST", form.action, form.fields, page=form.action)
        browser.confirm_password(app.password)
        fields = fresh_fields(browser, target)
        refused = check_baseline(browser, target, fields)
        if refused:
            results.append(Result(f"wapiti {role}: POST {form.action}", problems=[refused]))
            continue
        name = f"{role}-{re.sub(r'[^a-z0-9]+', '-', form.action).strip('-')}"
        remaining = (seconds - crawl_seconds) / len(alone)
        results.append(_wapiti(app, browser, role, [form.action], skipped, remaining, workdir, name=name, data=fields))
    return results


def _wapiti(
    app: App,
    browser: Browser,
    role: str,
    pages: list[str],
    skipped: list[str],
    seconds: float,
    workdir: Path,
    *,
    name: str,
    data: list[tuple[str, str]] | None = None,
) -> Result:
    result = Result(f"wapiti {role}: " + (f"POST {pages[0]} alone" if data else f"{len(pages)} pages and their links"))
    report = OUTPUT / "wapiti" / f"{name}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    # wapiti_prg.py: wapiti, corrected so that it attacks forms that redirect to their own page.
    command = [str(SCAN_VENV / "bin" / "python"), str(ROOT / "scripts" / "wapiti_prg.py")]
    if data:
        # Exactly this request, with these values; nothing crawled.
        command += ["-u", app.base + pages[0], "--data", urllib.parse.urlencode(data), "--scope", "url", "-d", "0"]
        excluded = NEVER
    else:
        # The pages, the forms on them and the pages they link to (depth 1); nothing deeper.
        command += ["-u", app.base + "/", "--scope", "folder", "-d", "1"]
        for page in pages:
            command += ["-s", app.base + page]
        excluded = [*NEVER, *WAPITI_ALONE.get(role, []), *WAPITI_SKIP]
    for pattern in excluded:
        # Wapiti matches the whole URL, * standing for anything.
        command += ["-x", app.base + pattern + ("*" if pattern.endswith("/") else "")]
    for parameter in [CSRF_FIELD, *skipped]:
        command += ["--skip", parameter]
    # redirect, crlf and csrf take seconds; the other modules share the time left after the crawl.
    attack_seconds = max(5.0, (seconds - 60) / (len(WAPITI_ATTACKS) - 3))
    command += ["-C", browser.cookie_header(), "-m", ",".join(WAPITI_ATTACKS + WAPITI_PASSIVE)]
    command += ["--max-scan-time", str(int(seconds)), "--max-attack-time", str(int(attack_seconds))]
    command += ["--tasks", "4", "--timeout", "20", "-f", "json", "-o", str(report), "--flush-session"]
    # Runs side by side, so each keeps its state apart.
    command += ["--store-session", str(workdir / f"wapiti-{name}"), "--store-config", str(workdir / f"wapiti-{name}")]
    command += ["--no-bugreport", "-v", "1"]
    log_path = report.with_suffix(".log")
    # HOME in the temporary directory: wapiti keeps caches and settings there.
    env = {**os.environ, "HOME": str(workdir / f"wapiti-{name}")}
    status = run_bounded(command, log_path, timeout=seconds + 90, env=env)
    output = log_path.read_text(errors="replace")
    if status is None:
        result.problems.append(f"wapiti had to be stopped after {int(seconds + 90)} s; see {log_path}")
    elif status != 0 or not report.exists():
        result.problems.append(f"wapiti exited with status {status}; see {log_path}")
    stopped = re.findall(r"Max attack time was reached for module (\w+)", output)
    if stopped:
        result.notes.append(f"time budget reached in module(s) {', '.join(stopped)} (raise SCAN_MINUTES)")
    if report.exists():
        _read_wapiti_report(json.loads(report.read_text()), result)
    if not browser.can_open(CANARY[role]):
        result.problems.append(f"the session was lost during the scan (cannot open {CANARY[role]})")
    return result


def _read_wapiti_report(report: dict, result: Result) -> None:
    crawled = report.get("infos", {}).get("crawled_pages_nbr")
    if crawled is not None:
        result.notes.append(f"{crawled} URLs and forms crawled")
    for category, items in report.get("vulnerabilities", {}).items():
        for item in items:
            text = f"{category}: {item.get('method')} {item.get('path')}"
            if item.get("parameter"):
                text += f" parameter {item['parameter']!r}"
            text += f" - {item.get('info')}"
            accepted = any(
                category == c and re.search(p, item.get("path") or "") and re.search(i, item.get("info") or "")
                for c, p, i in ACCEPTED
            )
            (result.notes if accepted else result.findings).append(("accepted: " if accepted else "") + text)
    for category, items in report.get("anomalies", {}).items():
        for item in items:
            text = f"{category}: {item.get('method')} {item.get('path')}"
            if item.get("parameter"):
                text += f" parameter {item['parameter']!r}"
            text += f" - {item.get('info')}"
            (result.findings if category in FAILING_ANOMALIES else result.notes).append(text)


# --- Main ----------------------------------------------------------------------------------------


def check_tools() -> None:
    for tool in ("sqlmap", "wapiti"):
        if not (SCAN_VENV / "bin" / tool).exists():
            raise ScanError(
                f"{SCAN_VENV / 'bin' / tool} is missing: run `make scan` (it installs requirements-scan.txt)"
            )


def scan(workdir: Path) -> list[Result]:
    app = App(workdir)
    results: list[Result] = []
    try:
        app.prepare()
        app.start()
        setup = Result("setup")
        results.append(setup)
        pages: dict[str, dict[str, list[Page]]] = {scanner: {} for scanner in ORGANIZATIONS}
        for scanner in ORGANIZATIONS:
            for role in ROLES:
                browser = Browser(app.base)
                browser.sign_in(login_for(scanner, role), app.password)
                pages[scanner][role] = resolve_pages(browser, role, setup.notes)
        targets = [target for role in ROLES for target in sqlmap_targets(pages["sqlmap"][role], role)]
        deadline = time.monotonic() + MINUTES * 60
        log(f"Scanning for up to {MINUTES:g} min, reports in {OUTPUT}/. Side by side: wapiti in the first demo")
        log(f"organization, sqlmap on {len(targets)} forms and searches in the second; {', '.join(ROLES)} in turn.")
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
        try:
            lanes = [
                pool.submit(wapiti_lane, app, pages["wapiti"], deadline, workdir),
                pool.submit(sqlmap_lane, app, targets, deadline),
            ]
            for lane in lanes:
                results += lane.result()
        except BaseException:
            stop_scanners()  # interrupted: end the scanners rather than wait for them
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        app.stop()
    errors = app.server_errors()
    results.append(
        Result(
            "app log (every answer during the scan)",
            findings=[f"server error: {key} ({count}x); see {app.server_log}" for key, count in errors.items()],
        )
    )
    return results


def sqlmap_lane(app: App, targets: list[Target], deadline: float) -> list[Result]:
    results = []
    for number, target in enumerate(targets, 1):
        try:
            result = run_sqlmap(app, target, number, deadline)
        except ScanError as error:
            result = Result(f"sqlmap {target.label}", problems=[str(error)])
        log(f"  {result.label}: {summary_word(result)}")
        results.append(result)
    return results


def wapiti_lane(app: App, pages: dict[str, list[Page]], deadline: float, workdir: Path) -> list[Result]:
    results = []
    for index, role in enumerate(ROLES):
        seconds = max(60.0, (deadline - time.monotonic()) / (len(ROLES) - index))
        try:
            passes = run_wapiti(app, role, pages[role], seconds, workdir)
        except ScanError as error:
            passes = [Result(f"wapiti {role}", problems=[str(error)])]
        for result in passes:
            log(f"  {result.label}: {summary_word(result)}")
        results += passes
    return results


def summary_word(result: Result) -> str:
    if result.findings:
        return f"{len(result.findings)} FINDING(S)"
    if result.problems:
        return "DID NOT RUN AS INTENDED"
    return "nothing found" + (" (see notes)" if result.notes else "")


def report(results: list[Result], minutes: float) -> int:
    lines = [f"RSC Records security scan, {time.strftime('%Y-%m-%d %H:%M')}, {minutes:.1f} min", ""]
    for result in results:
        lines.append(f"{result.label}: {summary_word(result)}")
        lines += [f"  FINDING: {text}" for text in result.findings]
        lines += [f"  PROBLEM: {text}" for text in result.problems]
        lines += [f"  note: {text}" for text in result.notes]
    findings = sum(len(r.findings) for r in results)
    problems = sum(len(r.problems) for r in results)
    lines.append("")
    if findings:
        lines.append(f"FAILED: {findings} finding(s). Details in {OUTPUT}/ (sqlmap/*/sqlmap.log, wapiti/*.json).")
    elif problems:
        lines.append(f"FAILED: the scan did not run as intended ({problems} problem(s)); nothing was found.")
    else:
        lines.append("PASSED: no findings.")
    short = sum(1 for r in results for note in r.notes if "SCAN_MINUTES" in note)
    if short:
        lines.append(f"({short} part(s) stopped at the time budget before testing everything; see the notes above.)")
    text = "\n".join(lines) + "\n"
    (OUTPUT / "summary.txt").write_text(text)
    print("\n" + text, flush=True)
    return 1 if findings else 2 if problems else 0


def main() -> int:
    def interrupted(signum, frame):
        raise Interrupted

    signal.signal(signal.SIGTERM, interrupted)
    started = time.monotonic()
    try:
        check_tools()
    except ScanError as error:
        print(f"scan: {error}", file=sys.stderr)
        return 2
    if OUTPUT.exists():
        shutil.rmtree(OUTPUT)
    OUTPUT.mkdir(parents=True)
    workdir = Path(tempfile.mkdtemp(prefix="rsc-scan-"))
    try:
        results = scan(workdir)
    except ScanError as error:
        print(f"\nscan: FAILED to run: {error}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Interrupted):
        print("\nscan: interrupted", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return report(results, (time.monotonic() - started) / 60)


if __name__ == "__main__":
    sys.exit(main())
