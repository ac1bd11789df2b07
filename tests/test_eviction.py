"""Idle orgs: dropped after ORG_IDLE_SECONDS without a call (off by default), counted in GET /__admin/health."""
from __future__ import annotations

import time

import pytest

from mock_server import create_app
from mock_server.testing.appcalls import Chat

pytestmark = pytest.mark.private_app   # counts every org of the app


def _health(client) -> dict:
    return client.get("/__admin/health").json


def test_orgs_stay_for_good_by_default(client):
    Chat(client, "stays").start()
    health = _health(client)
    assert (health["orgs"], health["evictedOrgs"], health["orgIdleSeconds"]) == (1, 0, 0)


@pytest.mark.memory_store   # the redis store drops this process's copy only; Redis keeps the org (docs/redis.md)
def test_an_idle_org_is_dropped_by_the_next_call_and_its_own_next_call_rebuilds_it():
    client = create_app({"TESTING": True, "ORG_IDLE_SECONDS": 2.0}).test_client()
    idle, busy = Chat(client, "idle-key"), Chat(client, "busy-key")
    idle.start()
    time.sleep(2.1)                        # longer than the idle time (2 s: a loaded machine stays inside it)
    busy.start()                           # this call's sweep drops idle-key's org
    health = _health(client)
    assert (health["orgs"], health["evictedOrgs"], health["orgIdleSeconds"]) == (1, 1, 2.0)
    assert isinstance(health["memoryBytes"], int) and health["memoryBytes"] > 0
    assert busy.unread().status_code == 200
    assert idle.unread().status_code == 401                   # its token went with it, as after a reset
    assert idle.start().status_code == 200 and _health(client)["orgs"] == 2
