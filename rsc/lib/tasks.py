"""Retries for tasks that reach an outside service, such as the mail server.

django-tasks-db runs each task once. A task that sends email hands its message to
`send_with_retries`: when sending fails for a reason that may pass (the mail server is down, slow
or busy), the task enqueues itself again after a growing pause, with its attempt number one
higher, and the failed attempt stays in the task table with its error. After the last attempt,
or at once when the server refuses the message for good (a 5xx answer), it gives up and says so
in the log; the caller records what the failure means for its own rows.

A task using it takes `attempt: int = 1` among its keyword arguments and is declared with
`@task(takes_context=True)`, so that it can find itself to enqueue again.
"""

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import TaskContext
from django.utils import timezone

logger = logging.getLogger(__name__)

# The pause before each retry: the first attempt and four more over about an hour and a half.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed: network and SMTP failures, except a permanent refusal."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return not all(500 <= code < 600 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return not 500 <= error.smtp_code < 600
    # smtplib's errors are OSErrors too, as are refused connections and timeouts.
    return isinstance(error, OSError)


def retry_later(context: TaskContext, *, attempt: int, **kwargs) -> datetime | None:
    """Enqueue the running task again, as attempt `attempt + 1`, after the pause that follows
    attempt `attempt`. Returns when it will run, or None when `attempt` was the last."""
    if attempt >= MAX_ATTEMPTS:
        return None
    run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
    context.task_result.task.using(run_after=run_after).enqueue(**kwargs, attempt=attempt + 1)
    return run_after


def send_with_retries(
    context: TaskContext,
    message: EmailMessage,
    *,
    attempt: int,
    retry_kwargs: dict,
    on_failure: Callable[[datetime | None], None] | None = None,
) -> None:
    """Send `message`. On failure, schedule the next attempt when one is left and worth it, call
    `on_failure` with its time (None: given up) in the same transaction, and raise the error again,
    so that this attempt is recorded as failed."""
    try:
        message.send()
    except Exception as error:
        with transaction.atomic():
            retry_at = retry_later(context, attempt=attempt, **retry_kwargs) if is_transient(error) else None
            if on_failure is not None:
                on_failure(retry_at)
        task = context.task_result.task.name
        if retry_at is not None:
            logger.warning(
                "%s could not send (attempt %d of %d, %s); trying again at %s",
                task,
                attempt,
                MAX_ATTEMPTS,
                type(error).__name__,
                retry_at.isoformat(timespec="seconds"),
            )
        elif is_transient(error):
            logger.error("%s could not send and gave up after %d attempts (%s)", task, attempt, type(error).__name__)
        else:
            logger.error("%s could not send (%s) and will not try again", task, type(error).__name__)
        raise
