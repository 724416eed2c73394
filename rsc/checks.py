"""System checks of RSC Records' own settings, shown when a management command starts.

Invitation and password-reset links are built from SITE_URL (rsc/settings.py), in the task worker,
with no request to learn the address from. In development SITE_URL defaults to
http://127.0.0.1:8000, and `make run` sets it from HOST and PORT; but a development server started
by hand on another port (`manage.py runserver 8001`) would send links to the wrong one.
"""

import os
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# Addresses at which a link to 127.0.0.1 still reaches a server on this machine.
# Compared with what runserver was told to listen on, never bound to here.
LOCAL_ADDRESSES = {"127.0.0.1", "localhost", "0", "0.0.0.0", "::1", "[::1]", "::", "[::]"}  # noqa: S104


def runserver_address(argv: list[str]) -> tuple[str, int] | None:
    """The address and port `manage.py runserver` listens on, from its command line; None for any
    other command, or a command line this does not understand."""
    if len(argv) < 2 or argv[1] != "runserver":
        return None
    from django.core.management.commands.runserver import Command, naiveip_re

    positional = [arg for arg in argv[2:] if not arg.startswith("-")]
    if not positional:
        return Command.default_addr, int(Command.default_port)
    match = naiveip_re.match(positional[0])
    if match is None:
        return None
    return match["addr"] or Command.default_addr, int(match["port"])


def site_url_problem(site_url: str, address: tuple[str, int]) -> bool:
    """Whether links to `site_url` would miss a development server listening at `address`."""
    parts = urlsplit(site_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host, listening = address
    if port != listening:
        return True
    return host not in LOCAL_ADDRESSES and host != parts.hostname


@checks.register()
def site_url_matches_the_development_server(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not settings.DEBUG or os.environ.get("SITE_URL"):
        return []
    address = runserver_address(sys.argv)
    if address is None or not site_url_problem(settings.SITE_URL, address):
        return []
    host, port = address
    shown = "127.0.0.1" if host in LOCAL_ADDRESSES else host
    return [
        checks.Warning(
            f"Links in emails (invitations, password resets) will point to {settings.SITE_URL}, "
            f"not to this server at {shown}:{port}.",
            hint=(
                f"SITE_URL is not set. Start with `make run PORT={port}`, which sets it, "
                f"or set SITE_URL=http://{shown}:{port} for the server and the task worker."
            ),
            id="rsc.W001",
        )
    ]
