"""The current request's id, for log lines written anywhere while it is handled.

Kept apart from rsc.audit so logging can be configured before the apps are loaded.
"""

import contextvars
import logging
import uuid

current: contextvars.ContextVar[str] = contextvars.ContextVar("rsc_request_id", default="-")


def new() -> str:
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds the current request id to every log record, as %(request_id)s."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True
