"""Run wapiti (from .venv-scan) with one correction, for scripts/scan.py.

Wapiti skips any request whose answer redirects to the request's own address plus a slash, taking
it for a directory (/notes -> /notes/). Its test also matches an address that already ends in a
slash and redirects to itself, which is how the app answers a saved form (Post/Redirect/Get:
POST /profile/ -> /profile/), so wapiti never attacked the profile, session notes or organization
forms. Here only a redirect that adds the slash counts as a directory.

Usage: .venv-scan/bin/python scripts/wapiti_prg.py [wapiti options]
"""

import sys

from wapitiCore.main.wapiti import wapiti_asyncio_wrapper
from wapitiCore.net.response import Response


def _is_directory_redirection(self: Response) -> bool:
    return not self.url.endswith("/") and self.redirection_url == self.url + "/"


Response.is_directory_redirection = property(_is_directory_redirection)

if __name__ == "__main__":
    sys.argv[0] = "wapiti"
    sys.exit(wapiti_asyncio_wrapper())
