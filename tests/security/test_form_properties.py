"""Hypothesis over every form, posted through its view (security.md 21).

For each form class (tests/security/form_cases.py) Hypothesis draws submissions with
`from_form`, and spoils one field in about half of them (any text, markup, NUL, huge
numbers, ids of other people's records). Each submission is posted (filters: read) as a
persona who may use the form, in a savepoint that is rolled back:
- no answer is a 5xx;
- what the form refuses writes nothing (only the session and the audit trail; tests/security/writes.py);
- what it accepts and the view saves comes back exactly as the form cleaned it;
- a filter (GET) writes nothing a GET may not write.
"""

import copy
import datetime
import os

import pytest
from django.db import connection, transaction
from django.db.models import Model
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import from_form

from tests.security import writes
from tests.security.form_cases import BASE_FORMS, FORM_CASES, FormCase, form_key, project_forms
from tests.security.world import World, build_world

HYPOTHESIS = settings(
    max_examples=int(os.environ.get("SECURITY_FORM_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
TYPED_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
SPOILERS = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "2147483648",
        "9223372036854775807",
        "2026-13-45",
        "2026-02-30",
        "<script>alert(1)</script>",
        "\x00",
    ]
)


def encode(value) -> list[str] | None:
    """A form value as the browser would send it; None for an unticked box."""
    if value is None:
        return [""]
    if value is False:
        return None
    if value is True:
        return ["on"]
    if isinstance(value, list | tuple | set):
        return [item for part in value for item in (encode(part) or [])]
    if isinstance(value, Model):
        return [str(value.pk)]
    if isinstance(value, datetime.date | datetime.time):
        return [value.isoformat()]
    return [str(value)]


def fits_a_bigint(value: str) -> bool:
    """Known bug (test_known_bugs.py): on SQLite an id past 2**63 in a multiple choice is a 500."""
    text = value.strip().lstrip("+-")
    return not (text.isascii() and text.isdigit() and int(text) >= 2**63)


def their_ids(world: World) -> st.SearchStrategy:
    return st.sampled_from([str(record.pk) for record in world.theirs.values()])


@st.composite
def submissions(draw, world: World, case: FormCase) -> QueryDict:
    form = draw(from_form(case.form, form_kwargs=case.kwargs(world), **case.fields(world)))
    values = {name: encoded for name, value in form.data.items() if (encoded := encode(value)) is not None}
    if values and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(form.fields)))
        values[name] = [draw((TYPED_TEXT | SPOILERS | their_ids(world)).filter(fits_a_bigint))]
    data = QueryDict(mutable=True)
    for name, value in case.page_data(world).items():
        data[name] = value
    for name, value in values.items():
        data.setlist(f"{case.prefix}-0-{name}" if case.prefix else name, value)
    return data


def test_every_form_of_the_project_has_a_case():
    cases = {case.key for case in FORM_CASES}
    walked = {form_key(form) for form in project_forms()}
    assert walked - cases - set(BASE_FORMS) == set(), "Add these forms to tests/security/form_cases.py FORM_CASES"
    assert cases <= walked
    assert len(walked) >= 30


@pytest.mark.django_db
@pytest.mark.parametrize("case", FORM_CASES, ids=lambda case: case.form.__name__)
def test_every_form_keeps_what_it_accepts_and_refuses_the_rest_without_errors(case):
    world = build_world(rich=True)
    client = world.client_for(case.persona)
    url = case.url(world)

    @HYPOTHESIS
    @given(data=st.data())
    def submit(data):
        submission = data.draw(submissions(world, case), label="submission")
        form = case.bind(world, submission)
        valid = form.is_valid()
        cookies = copy.deepcopy(client.cookies)
        sent = {name: submission.getlist(name) for name in submission}
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, sent) if case.method == "get" else client.post(url, sent)
            assert response.status_code < 500
            found = writes.writes(queries.captured_queries)
            if case.method == "get":
                assert response.status_code in {200, 400}
                assert writes.forbidden(found, writes.GET_MAY_WRITE) == []
            elif not valid:
                assert writes.forbidden(found, writes.REFUSAL_MAY_WRITE) == [], f"saved: {form.errors.as_data()}"
            elif case.readback and case.success(response):
                saved = case.readback(world, form.cleaned_data)
                assert saved == {name: form.cleaned_data[name] for name in saved if name in form.cleaned_data}
            transaction.set_rollback(True)
        client.cookies = cookies

    submit()
