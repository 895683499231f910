"""Dashboard periods at the ends of the calendar (0001-01-01, 9999-12-31) are a clear 400 in
the browser and the API, with the reason; sensible periods still work."""

import pytest
from rest_framework.test import APIClient

from tests.factories import api_key

pytestmark = pytest.mark.django_db

EXTREMES = [
    "end=9999-12-31",
    "start=0001-01-01",
    "start=0001-01-01&end=0001-01-02",
    "start=9999-12-30&end=9999-12-31",
    "start=1999-12-31",
]


@pytest.mark.parametrize("query", EXTREMES)
def test_extreme_dates_on_the_dashboard_page_are_a_400(client, manager, query):
    client.force_login(manager)
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    assert "Choose a day between 2000-01-01" in response.content.decode()
    assert client.get(f"/dashboard/?{query}&format=csv&table=workload").status_code == 400


def test_a_period_longer_than_the_limit_is_a_400_on_the_page(client, manager):
    client.force_login(manager)
    response = client.get("/dashboard/?start=2001-01-01&end=2020-01-01")
    assert response.status_code == 400
    assert "Choose at most 400 days." in response.content.decode()


@pytest.mark.parametrize("query", EXTREMES)
def test_extreme_dates_in_the_api_are_a_400(manager, query):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(manager)}")
    response = api.get(f"/api/v1/sla/dashboard/?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["fields"]


def test_ordinary_periods_still_work(client, manager):
    client.force_login(manager)
    assert client.get("/dashboard/?start=2026-01-01&end=2026-01-31").status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(manager)}")
    answer = api.get("/api/v1/sla/dashboard/?start=2026-01-01&end=2026-01-31")
    assert answer.status_code == 200
