"""The waiting-room display across server processes (``kiosk-office serve --workers N``):
two servers on one database (SQLite file, and PostgreSQL when configured), each with its
own in-memory broadcaster. A call taken through server A reaches a display stream open on
server B (by B's look at the database), and A's own displays get it once; and the real
``kiosk-office serve --workers 2``."""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime

import pytest
import requests
from conftest import TOKENS, ticket
from counterkit import FixedClock, counter_app, reopen_app

from office.devserver import EventReader, ServerThread, free_port
from office.loket_web import act

#: Hang guard only (the look runs every 0.5 s; a loaded 2-core box is slow).
GUARD_S = 15


@pytest.fixture
def two_servers(db_url, tmp_path):
    """(app A, app B): two apps on one database, as two worker processes would be."""
    a = counter_app(db_url, tmp_path / "voice", TOKENS)
    b = reopen_app(db_url, tmp_path / "voice")
    yield a, b
    for app in (a, b):
        app.state.repo.engine.dispose()


def first_state(reader):
    event, state = reader.next(timeout_s=GUARD_S)
    assert event == "state" and "call" not in state
    return state


def next_call(reader):
    """The next ``state`` event that carries a call (pings skipped)."""
    deadline = time.monotonic() + GUARD_S
    while time.monotonic() < deadline:
        event, state = reader.next(timeout_s=GUARD_S)
        if event == "state" and "call" in state:
            return state
    raise AssertionError("no call reached the display stream")


def test_a_call_taken_on_one_server_reaches_a_display_of_the_other(two_servers):
    a, b = two_servers
    a.state.repo.upsert_checkins("K1", [ticket(seq=n) for n in (7, 8)])
    loket = a.state.offices.scope().counters.counters()[0]
    with ServerThread(a) as server_a, ServerThread(b) as server_b:
        on_b = [EventReader(server_b.url) for _ in range(2)]
        on_a = EventReader(server_a.url)
        try:
            for reader in [*on_b, on_a]:
                assert first_state(reader)["counters"][0]["number"] == ""
            act(a.state.offices.scope(), loket, "budi", {"action": "next"})
            for reader in on_b:
                state = next_call(reader)
                assert state["call"]["number"] == "A007"
                assert state["call"]["text"] == ("Nomor antrian A nol nol tujuh, silakan ke "
                                                 "loket satu")
                assert state["counters"][0]["number"] == "A007"
                assert state["recent"][0]["number"] == "A007"
            mine = next_call(on_a)
            assert mine["call"]["number"] == "A007"
            assert mine["call"]["id"] == state["call"]["id"]  # the page says one id once
            with pytest.raises(TimeoutError):  # A's own look does not send it again
                on_a.next(timeout_s=1.5)
            on_a.close()  # a timed-out reader cannot read on: a new display on A
            on_a = EventReader(server_a.url)
            assert first_state(on_a)["counters"][0]["number"] == "A007"
            act(b.state.offices.scope(), loket, "sari", {"action": "next"})  # and back
            assert next_call(on_a)["call"]["number"] == "A008"
            assert all(next_call(r)["call"]["number"] == "A008" for r in on_b)
        finally:
            for reader in [*on_b, on_a]:
                reader.close()


def test_calls_taken_together_elsewhere_are_each_said_in_order(two_servers):
    a, b = two_servers
    a.state.repo.upsert_checkins("K1", [ticket(seq=n) for n in (7, 8)])
    loket_1, loket_2 = a.state.offices.scope().counters.counters()[:2]
    with ServerThread(b) as server_b:
        reader = EventReader(server_b.url)
        try:
            first_state(reader)
            act(a.state.offices.scope(), loket_1, "budi", {"action": "next"})
            act(a.state.offices.scope(), loket_2, "sari", {"action": "next"})
            said = [next_call(reader)["call"] for _ in range(2)]
            assert [(c["number"], c["counter"]) for c in said] == [("A007", "Loket 1"),
                                                                  ("A008", "Loket 2")]
            assert said[0]["id"] < said[1]["id"]
        finally:
            reader.close()


def test_a_display_connecting_later_hears_no_old_call(two_servers):
    a, b = two_servers
    a.state.repo.upsert_checkins("K1", [ticket(seq=7)])
    loket = a.state.offices.scope().counters.counters()[0]
    act(a.state.offices.scope(), loket, "budi", {"action": "next"})
    with ServerThread(b) as server_b:
        reader = EventReader(server_b.url)
        try:
            assert first_state(reader)["counters"][0]["number"] == "A007"
            with pytest.raises(TimeoutError):  # the call before it connected is not said
                reader.next(timeout_s=1.5)
        finally:
            reader.close()


def test_kiosk_office_serve_with_two_workers_feeds_every_display(db_url, tmp_path):
    """Real ``kiosk-office serve --workers 2``: six display streams, spread over both worker
    processes by the kernel, all get a call taken in a third process (this one). The day
    comes from the server (its clock is the real one); the caller's clock is fixed on it."""
    app = counter_app(db_url, tmp_path / "voice", TOKENS)
    port = free_port()
    env = {**os.environ, "KIOSK_OFFICE_WORKERS": "2", "KIOSK_OFFICE_PORT": str(port),
           "KIOSK_OFFICE_DB": db_url, "KIOSK_OFFICE_VOICE_DIR": str(tmp_path / "voice")}
    server = subprocess.Popen([sys.executable, "-m", "office.cli", "serve", "--log-level",
                               "warning"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    url, readers = f"http://127.0.0.1:{port}", []
    try:
        deadline = time.monotonic() + 60  # hang guard only (two processes start)
        while True:
            try:
                day = requests.get(url + "/display/state", timeout=5).json()["day"]
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, server.stdout
                time.sleep(0.2)
        app.state.offices.use_clock(FixedClock(datetime.fromisoformat(day + "T09:00")))
        app.state.repo.upsert_checkins("K1", [ticket(seq=7, day=day)])
        readers = [EventReader(url) for _ in range(6)]
        for reader in readers:
            first_state(reader)
        loket = app.state.offices.scope().counters.counters()[0]
        act(app.state.offices.scope(), loket, "budi", {"action": "next"})
        for reader in readers:
            state = next_call(reader)
            assert state["call"]["number"] == "A007" and state["day"] == day
            assert state["counters"][0]["number"] == "A007"
    finally:
        for reader in readers:
            reader.close()
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
        app.state.repo.engine.dispose()
    assert server.returncode == 0, out
