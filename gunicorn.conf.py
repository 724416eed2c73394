"""gunicorn's settings for RSC Records, read from the working directory (or named with --config).

The command line in README.md (Deploying) sets the address, workers and timeout.
"""

from gunicorn.http import wsgi


def post_worker_init(worker) -> None:
    """Send no `Server: gunicorn` header: it only tells an attacker what to look up.

    gunicorn writes it on every HTTP/1 response and has no setting to leave it out, so each
    worker drops it from the headers gunicorn adds itself (gunicorn 27; the test in
    tests/rsc/test_headers.py starts gunicorn and notices if a new version changes this).
    HTTP/2 is not used: the TLS proxy in front speaks to gunicorn over HTTP/1.1.
    """
    default_headers = wsgi.Response.default_headers
    if getattr(default_headers, "without_server", False):
        return

    def without_server(response) -> list[str]:
        return [line for line in default_headers(response) if not line.lower().startswith("server:")]

    without_server.without_server = True
    wsgi.Response.default_headers = without_server
