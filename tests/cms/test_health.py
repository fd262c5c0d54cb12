"""/health/ says the process answers; /ready/ says it can serve members and
names what fails."""

from datetime import timedelta

import pytest
from django.db.utils import OperationalError
from django.test import Client, override_settings
from django.utils import timezone

from cms import health
from community.models import WorkerHeartbeat
from community.notifications.worker import beat

pytestmark = pytest.mark.django_db


def test_health_answers_without_the_database(monkeypatch):
    def no_database():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", no_database)
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_every_part_answers_and_the_worker_beat_lately():
    beat()
    response = Client().get("/ready/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["parts"]) == {
        "database",
        "cache",
        "channel_layer",
        "storage",
        "worker",
    }


def test_not_ready_without_a_worker_and_says_so():
    response = Client().get("/ready/")
    assert response.status_code == 503
    assert response.json()["failed"] == ["worker"]
    assert "no worker has started" in response.json()["parts"]["worker"]


@override_settings(HARBOUR_WORKER_STALE_SECONDS=60)
def test_not_ready_when_the_worker_stopped_beating():
    beat(now=timezone.now() - timedelta(seconds=90))
    response = Client().get("/ready/")
    assert response.status_code == 503
    assert response.json()["failed"] == ["worker"]
    assert "limit 60 s" in response.json()["parts"]["worker"]
    WorkerHeartbeat.objects.update(beat_at=timezone.now())
    assert Client().get("/ready/").status_code == 200


def test_not_ready_names_each_failed_part_and_no_connection_details(monkeypatch):
    beat()

    def refused():
        raise OperationalError("could not connect to postgres://harbour:pw@db:5432")

    monkeypatch.setitem(health.CHECKS, "database", refused)
    monkeypatch.setitem(health.CHECKS, "storage", refused)
    response = Client().get("/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database", "storage"]
    assert body["parts"]["database"] == "failed: OperationalError"
    assert "pw@db" not in response.content.decode()


def test_probes_may_not_post():
    assert Client().post("/health/").status_code != 200
