def test_admin_home_page_shows_people_counts(admin_client, practitioner):
    response = admin_client.get("/")
    assert response.status_code == 200
    assert b"2 active" not in response.content  # counts are in separate elements
    assert "Riverbend Early Childhood" in response.content.decode()
