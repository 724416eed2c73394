"""Reading settings from the environment, failing loudly on bad values.

Each helper raises ImproperlyConfigured naming the variable, so a typo in a
deployment stops the process at start-up instead of surfacing as odd
behaviour later.
"""

import os
import zoneinfo
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time_zone(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be an IANA time zone name such as America/Chicago, not {value!r}."
        ) from None
    return value


def database_from_url(name: str, url: str) -> dict:
    """A DATABASES entry for a postgres:// URL, kept healthy across restarts."""
    if urlsplit(url).scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(f"{name} must start with postgres:// (or be unset to use SQLite), not {url!r}.")
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, as in postgres://user@host:5432/rsc.")
    return config


def smtp_mailer(*, host: str, port: int, username: str, password: str, use_tls: bool, use_ssl: bool) -> dict:
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": host,
            "port": port,
            "username": username,
            "password": password,
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": 20,
        },
    }


def mailer_from_url(name: str, url: str) -> dict:
    """A MAILERS entry for smtp://user:password@host:587 (STARTTLS), smtps://... (TLS) or console://."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(f"{name} must start with smtp://, smtps:// or console://, not {url!r}.")
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name} must name a host, as in smtp://user:password@mail.example.org:587.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port.") from None
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    use_ssl = parts.scheme == "smtps"
    use_tls = not use_ssl and query.get("tls", "1") in TRUE_VALUES
    return smtp_mailer(
        host=parts.hostname,
        port=port or (465 if use_ssl else 587),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
    )


def cache_from_url(name: str, url: str | None) -> dict:
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(
            f"{name} must start with redis:// (or be unset for a per-process cache), not {url!r}."
        )
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
