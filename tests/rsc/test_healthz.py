import pytest
from django.db import connection
from django.urls import reverse


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_does_not(client):
    """Point the connection at a PostgreSQL port where nothing listens, for real."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot be disconnected; CI runs this on PostgreSQL.")
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1", OPTIONS={**original["OPTIONS"], "connect_timeout": 2})
    try:
        response = client.get(reverse("healthz"))
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert response.status_code == 503
    assert b"database unavailable" in response.content
    # And it recovers once the database is back.
    assert client.get(reverse("healthz")).status_code == 200
