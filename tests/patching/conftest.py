import pytest

from .factories import Plant


@pytest.fixture
def plant(db):
    return Plant()


@pytest.fixture
def eng_client(client, plant):
    client.force_login(plant.actor)
    return client


@pytest.fixture(autouse=True)
def _chinese():
    """Services speak the language of the request; outside one, the tests ask for Chinese."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
