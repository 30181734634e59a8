"""A SQLite office database locked by another writer past the busy timeout: the upload gets 503
with Retry-After (which the kiosk honours) and nothing of the batch is stored."""
import sqlite3

import pytest
from fastapi.testclient import TestClient

from office.app import OfficeSettings, create_app
from office.auth import hash_token


@pytest.fixture
def busy_app(tmp_path):
    app = create_app(OfficeSettings(db_url=f"sqlite:///{tmp_path / 'office.db'}",
                                    busy_timeout_s=0.3))
    app.state.repo.add_credential(hash_token("k1-token"), "kiosk", "K1")
    yield app, tmp_path / "office.db"
    app.state.repo.engine.dispose()


def test_locked_database_answers_503_with_retry_after_and_stores_nothing(busy_app, ticket):
    app, path = busy_app
    batch = [ticket("K1", seq=i) for i in range(1, 6)]
    body = {"kiosk_id": "K1", "menu_version": "2026-11-29.1", "tickets": batch}
    headers = {"Authorization": "Bearer k1-token"}
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/api/v1/checkins", json=body, headers=headers).status_code == 200
        app.state.repo._touched.clear()  # the kiosk's "last seen" is written again
        more = [ticket("K1", seq=i) for i in range(6, 11)]
        body["tickets"] = more
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            r = client.post("/api/v1/checkins", json=body, headers=headers)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert r.status_code == 503, r.text
        assert int(r.headers["retry-after"]) >= 1
        assert "nothing was stored" in r.json()["detail"]
        assert app.state.repo.count_checkins() == 5
        again = client.post("/api/v1/checkins", json=body, headers=headers)
        assert again.status_code == 200
        assert again.json()["accepted"] == [t["id"] for t in more]
        assert app.state.repo.count_checkins() == 10
