"""The writes a request makes, read from the SQL it sends: which table, which columns.

Cheaper than comparing every row before and after, and stricter: a write that happens to
store the same value is still a write. A GET may write exactly these, and nothing else:
- the server-side session (django_session): it keeps the time of the last activity;
- the audit trail (rsc_auditevent), new rows only: reading records and refused doors is what
  it is for (and no event may hold anyone's writing: see crawl.py);
- a supervisor's read time on a share (rsc_reflectionshare.first_read_at/last_read_at), the
  author's "seen the responses" time (rsc_reflection.author_seen_at) and a participant's "seen
  the signed notes" time (rsc_sessionparticipant.notes_seen_at);
- allauth's copy of a person's address (account_emailaddress), added when a password-reset
  link is checked.
"""

import re
from dataclasses import dataclass

_INSERT = re.compile(r'^\s*INSERT\s+INTO\s+"?(\w+)"?', re.IGNORECASE)
_UPDATE = re.compile(r'^\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.*?)\s+WHERE\s', re.IGNORECASE | re.DOTALL)
_UPDATE_ALL = re.compile(r'^\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.*)$', re.IGNORECASE | re.DOTALL)
_DELETE = re.compile(r'^\s*DELETE\s+FROM\s+"?(\w+)"?', re.IGNORECASE)
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|TRUNCATE|ALTER|DROP|CREATE)\b", re.IGNORECASE)
_COLUMN = re.compile(r'"(\w+)"\s*=')
_LITERAL = re.compile(r"'(?:[^']|'')*'")


@dataclass(frozen=True)
class Write:
    verb: str
    table: str
    columns: frozenset[str] = frozenset()
    sql: str = ""

    def __str__(self) -> str:
        columns = f" ({', '.join(sorted(self.columns))})" if self.columns else ""
        return f"{self.verb} {self.table}{columns}"


def parse(sql: str) -> Write | None:
    """The write a statement makes, or None for a read (or a savepoint)."""
    if not _WRITE.match(sql):
        return None
    if match := _INSERT.match(sql):
        return Write("INSERT", match[1], sql=sql)
    bare = _LITERAL.sub("''", sql)
    if match := _UPDATE.match(bare) or _UPDATE_ALL.match(bare):
        return Write("UPDATE", match[1], frozenset(_COLUMN.findall(match[2])), sql=sql)
    if match := _DELETE.match(sql):
        return Write("DELETE", match[1], sql=sql)
    return Write(sql.split()[0].upper(), "?", sql=sql)


def writes(captured_queries: list[dict]) -> list[Write]:
    return [write for query in captured_queries if (write := parse(query["sql"])) is not None]


# What a GET may write: table -> verbs, and for updates the columns.
GET_MAY_WRITE = {
    "django_session": {"INSERT": None, "UPDATE": None, "DELETE": None},
    "rsc_auditevent": {"INSERT": None},
    "account_emailaddress": {"INSERT": None},
    "rsc_reflectionshare": {"UPDATE": {"first_read_at", "last_read_at"}},
    "rsc_reflection": {"UPDATE": {"author_seen_at"}},
    "rsc_sessionparticipant": {"UPDATE": {"notes_seen_at"}},
}
# What any refused or failed submission may write: the session and the audit trail.
REFUSAL_MAY_WRITE = {
    "django_session": {"INSERT": None, "UPDATE": None, "DELETE": None},
    "rsc_auditevent": {"INSERT": None},
}


def forbidden(found: list[Write], allowed: dict) -> list[str]:
    """The writes `allowed` does not allow, in words."""
    problems = []
    for write in found:
        verbs = allowed.get(write.table, {})
        if write.verb not in verbs or (verbs[write.verb] is not None and not write.columns <= verbs[write.verb]):
            problems.append(str(write))
    return problems
