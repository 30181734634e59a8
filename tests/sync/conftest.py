"""Fixtures for the sync tests: the real office server (uvicorn in a thread on 127.0.0.1),
the raw misbehaving peer, and fast-failing kiosk-side config."""
import pytest
import requests
from syncpeers import RawServer, SlowReplies

from kiosk.config import ServerConfig
from office.app import OfficeSettings, create_app
from office.auth import hash_token
from office.devserver import ServerThread


@pytest.fixture
def office(tmp_path):
    """The real office server on 127.0.0.1; ``office.repo`` is its database,
    ``office.slow`` holds replies back on cue. Tokens: K1 k1-token, K2 k2-token, admin."""
    app = create_app(OfficeSettings(db_url=f"sqlite:///{tmp_path / 'office.db'}"))
    for role, name, token in [("kiosk", "K1", "k1-token"), ("kiosk", "K2", "k2-token"),
                              ("admin", "admin", "admin-token")]:
        app.state.repo.add_credential(hash_token(token), role, name)
    slow = SlowReplies(app)
    with ServerThread(slow) as server:
        server.repo, server.slow = app.state.repo, slow
        warm_up(server.url)
        yield server


def warm_up(url):
    """One authenticated round trip before a test times anything: a server's first request
    pays for its database connection and lazy imports (seconds on a loaded 2-core CI box,
    where the tests' 0.5 s read timeout would then fail for the wrong reason)."""
    requests.post(url + "/api/v1/checkins", json={"kiosk_id": "K1", "tickets": []},
                  headers={"Authorization": "Bearer k1-token"}, timeout=60).raise_for_status()


@pytest.fixture
def raw():
    server = RawServer()
    yield server
    server.close()


@pytest.fixture
def server_cfg():
    """``server_cfg(url, token="k1-token", **overrides)`` -> a fast-failing ServerConfig."""
    def make(url, token="k1-token", **over):
        values = dict(url=url, token=token, ca_bundle=None, verify_tls=True,
                      connect_timeout_s=0.5, read_timeout_s=0.5, attempt_deadline_s=1.5,
                      interval_s=0.05, max_backoff_s=0.2, batch_size=200, retention_days=30)
        values.update(over)
        return ServerConfig(**values)
    return make


@pytest.fixture
def office_cfg(server_cfg):
    """``office_cfg(url, ...)``: like ``server_cfg`` but with a patient read budget, for talks
    with the real office server that are not about timeouts: a loaded 2-core CI box can take
    longer than the fast-failing 0.5 s to answer, and such a test would fail for that alone.
    Tests that make the server slow on purpose (``office.slow``) keep ``server_cfg``."""
    def make(url, token="k1-token", **over):
        return server_cfg(url, token, **{"read_timeout_s": 10.0, "attempt_deadline_s": 30.0,
                                         **over})
    return make
