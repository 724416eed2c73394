"""Mail servers for the account tests: one that is down, and one that is slow but works."""

import socketserver
import threading
import time

import pytest

# Nothing listens on the discard port here: connecting is refused at once.
CLOSED_PORT = 9
# About what a real mail server takes to greet and take a message.
SLOW_SECONDS = 0.25


def smtp_mailer(port: int, *, timeout: float = 2) -> dict:
    options = {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": timeout}
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}


@pytest.fixture
def mail_server_down(settings):
    settings.MAILERS = smtp_mailer(CLOSED_PORT)


class SlowSMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib, after a pause before the greeting."""

    def handle(self) -> None:
        time.sleep(SLOW_SECONDS)
        self.wfile.write(b"220 slow.example ESMTP\r\n")
        in_data = False
        for line in self.rfile:
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.server.messages += 1
                    self.wfile.write(b"250 queued\r\n")
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 slow.example\r\n")


class SlowSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    messages = 0


@pytest.fixture
def slow_mail_server(settings):
    """A mail server on loopback that takes a quarter of a second per message; yields it (`.messages`)."""
    server = SlowSMTPServer(("127.0.0.1", 0), SlowSMTPHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MAILERS = smtp_mailer(server.server_address[1])
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
