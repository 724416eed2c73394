import pytest

from tests.security.world import build_world


@pytest.fixture
def world(db):
    """The owner's world (tests/security/world.py)."""
    return build_world()


@pytest.fixture
def rich_world(db):
    """The owner's world, with records of the colleague, the unrelated supervisor and the other organization."""
    return build_world(rich=True)
