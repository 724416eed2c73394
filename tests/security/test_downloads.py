"""Downloads hold only what the person may take away (the matrix reads inside them too).

A person's own-data export holds their own writing and nothing anyone else wrote; the audit
export holds metadata, never writing.
"""

import pytest
from django.urls import reverse

from tests.security.checks import body
from tests.security.world import MARKERS, SIGNED_IN

OWN_WRITING = {
    "owner": {"reflection_title", "reflection_text", "checkin_words", "agenda_text", "family_code", "reply_text"},
    "supervisor": {"response_text"},
}


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_the_own_data_export_holds_only_the_persons_own_writing(world, persona):
    response = world.client_for(persona).post(reverse("my_data_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/zip")
    text = body(response)
    assert {name for name, marker in MARKERS.items() if marker in text} == OWN_WRITING.get(persona, set())


@pytest.mark.parametrize("persona", ["admin", "stranger"])
def test_the_audit_export_holds_no_writing(world, persona):
    # Reading and changing the owner's records first, so the trail has events about them.
    for name, args in [("reflection_detail", [world.reflection.pk]), ("family_detail", [world.family.pk])]:
        world.client_for("supervisor").get(reverse(name, args=args))
    response = world.client_for(persona).get(reverse("audit_export"))
    assert response.status_code == 200
    text = body(response)
    assert [name for name, marker in MARKERS.items() if marker in text] == []
    if persona == "stranger":
        assert "riverbend.example" not in text
    else:
        assert "sasha@riverbend.example" in text
