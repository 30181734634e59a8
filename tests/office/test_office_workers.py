"""``kiosk-office serve --workers 2``: two uvicorn worker processes from the environment's
settings (office.asgi), one database, a clean stop on SIGTERM."""
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from office.asgi import settings_from_env
from office.devserver import free_port


def test_two_worker_processes_serve_one_database(app, db_url, auth, ticket, tmp_path):
    port = free_port()
    env = {**os.environ, "KIOSK_OFFICE_WORKERS": "2", "KIOSK_OFFICE_PORT": str(port),
           "KIOSK_OFFICE_DB": db_url}
    server = subprocess.Popen([sys.executable, "-m", "office.cli", "serve", "--log-level",
                               "warning"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # hang guard only (two processes start)
        while True:
            try:
                requests.get(url + "/api/v1/health", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, server.stdout
                time.sleep(0.2)
        for i in range(20):  # spread over both workers by the kernel
            r = requests.post(url + "/api/v1/checkins", headers=auth("K1"), timeout=10,
                              json={"kiosk_id": "K1", "tickets": [ticket(seq=i + 1)]})
            assert r.status_code == 200
        assert app.state.repo.count_checkins() == 20
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0, out


def test_settings_from_env_say_which_variable_is_wrong():
    settings = settings_from_env({"KIOSK_OFFICE_DB": "sqlite:///x.db",
                                  "KIOSK_OFFICE_RETENTION_DAYS": "30"})
    assert settings.db_url == "sqlite:///x.db" and settings.retention_days == 30
    with pytest.raises(ValueError, match="KIOSK_OFFICE_RETENTION_DAYS='lots'"):
        settings_from_env({"KIOSK_OFFICE_RETENTION_DAYS": "lots"})
