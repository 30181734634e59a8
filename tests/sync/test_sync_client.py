"""SyncClient against the real office server and a misbehaving raw peer on 127.0.0.1:
every failure becomes a SyncError with a kind and plain words, within the attempt deadline."""
import json
import socket
import threading
import time

import pytest
from syncpeers import MENU_BYTES, json_reply, make_tickets

from kiosk.errors import SyncError
from kiosk.sync_client import SyncClient, parse_retry_after
from office.devserver import free_port


def test_upload_to_the_real_server_returns_accepted_ids(office, office_cfg):
    client = SyncClient(office_cfg(office.url), "K1")
    tickets = make_tickets(3)
    reply = client.upload(tickets, "2026-11-29.1")
    assert reply.accepted_ids == tuple(t.id for t in tickets)
    assert reply.server_time.endswith("+07:00") and reply.now_serving == {}
    assert client.health()["status"] == "ok"


def test_menu_download_uses_etag(office, office_cfg):
    import requests
    requests.put(office.url + "/api/v1/menu", data=MENU_BYTES,
                 headers={"Authorization": "Bearer admin-token"}, timeout=5).raise_for_status()
    client = SyncClient(office_cfg(office.url), "K1")
    body, etag = client.fetch_menu(None, "old")
    assert body == MENU_BYTES and etag
    assert client.fetch_menu(etag) == (None, etag)
    assert {k.id: k.menu_version for k in office.repo.kiosks()}["K1"] == "old"


def test_menu_download_before_any_menu_is_published(office, office_cfg):
    assert SyncClient(office_cfg(office.url), "K1").fetch_menu(None) == (None, None)


@pytest.mark.parametrize("script,kind,status,words", [
    ([json_reply({"detail": "boom"}, 500)], "server", 500, "kesalahan (HTTP 500)"),
    ([json_reply({}, 503, **{"Retry-After": "7"})], "server", 503, "sibuk (busy)"),
    ([json_reply({"detail": "bad token"}, 401)], "auth", 401, "tidak menerima token"),
    ([(200, {"Content-Type": "application/json"}, b"{not json")], "bad_reply", None,
     "tidak dapat dipahami"),
    ([json_reply({"accepted": "everything"})], "bad_reply", None, "tidak dapat dipahami"),
    (["hang"], "timeout", None, "tidak menjawab dalam 0.5 detik"),
])
def test_server_failures_become_plain_sync_errors(raw, server_cfg, script, kind, status, words):
    raw.script = script
    client = SyncClient(server_cfg(raw.url), "K1")
    started = time.monotonic()
    with pytest.raises(SyncError) as info:
        client.upload(make_tickets(2))
    assert time.monotonic() - started < 1.6
    err = info.value
    assert (err.kind, err.status) == (kind, status)
    assert words in str(err) and "Traceback" not in str(err)
    if status == 503:
        assert err.retry_after_s == 7


def test_nothing_listening_is_offline(server_cfg):
    client = SyncClient(server_cfg(f"http://127.0.0.1:{free_port()}"), "K1")
    with pytest.raises(SyncError) as info:
        client.health()
    assert info.value.kind == "offline" and "tidak dapat dihubungi" in str(info.value)


def test_a_server_that_drips_bytes_is_cut_off_at_the_attempt_deadline(server_cfg):
    """Each read finishes within read_timeout_s, yet the whole answer never ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        while not stop.wait(0.2):
            conn.sendall(b" ")
        conn.close()
    threading.Thread(target=drip, daemon=True).start()
    client = SyncClient(server_cfg(f"http://127.0.0.1:{listener.getsockname()[1]}",
                                   attempt_deadline_s=1.0), "K1")
    started = time.monotonic()
    try:
        with pytest.raises(SyncError) as info:
            client.health()
        assert info.value.kind == "timeout"
        assert time.monotonic() - started < 1.3
    finally:
        stop.set()
        listener.close()


def test_a_hanging_name_lookup_ends_at_the_deadline(office, server_cfg, monkeypatch):
    release = threading.Event()
    real = socket.getaddrinfo

    def slow_getaddrinfo(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    client = SyncClient(server_cfg(office.url, attempt_deadline_s=0.5), "K1")
    try:
        started = time.monotonic()
        with pytest.raises(SyncError) as info:
            client.upload(make_tickets(1))
        assert time.monotonic() - started < 0.8
        assert info.value.kind == "dns" and "lebih dari 0.5 detik" in str(info.value)
        with pytest.raises(SyncError):
            client.health()
        with pytest.raises(SyncError) as info:  # two attempts still stuck: refuse a third
            client.health()
        assert "masih menggantung" in str(info.value)
    finally:
        release.set()


def test_unknown_host_name_is_a_dns_error(server_cfg, monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(SyncError) as info:
        SyncClient(server_cfg("http://kantor.invalid:8080"), "K1").health()
    assert info.value.kind == "dns" and "kantor.invalid" in str(info.value)


def test_tls_verification_follows_config(server_cfg, tmp_path):
    # ca_bundle empty: the system's CA store, as kiosk.ini says (not certifi's bundle)
    assert SyncClient(server_cfg("https://127.0.0.1"), "K1").session.verify == \
        "/etc/ssl/certs/ca-certificates.crt"
    bundle = tmp_path / "office-ca.pem"
    assert SyncClient(server_cfg("https://127.0.0.1", ca_bundle=bundle), "K1").session.verify \
        == str(bundle)
    assert SyncClient(server_cfg("https://127.0.0.1", verify_tls=False), "K1").session.verify \
        is False


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("120", now=1445412470.0) == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10
    assert parse_retry_after("soon", 0.0) is None and parse_retry_after(None, 0.0) is None


@pytest.mark.parametrize("script,words", [
    ([(200, {"Content-Type": "application/json"}, b"{not json")], "bukan data yang dikenal"),
    ([json_reply({"server_time": "2026-11-29T08:00:00+07:00"})], "tidak ada"),
    ([json_reply({"accepted": "everything"})], "bentuk isinya"),
    ([json_reply({"accepted": [], "server_time": "2026-11-29T08:00:00+07:00",
                  "conflicts": [1]})], "bentuk isinya"),
])
def test_unreadable_replies_are_told_in_plain_words_without_python_names(raw, server_cfg,
                                                                         script, words):
    raw.script = script
    with pytest.raises(SyncError) as info:
        SyncClient(server_cfg(raw.url), "K1").upload(make_tickets(1))
    message = str(info.value)
    assert info.value.kind == "bad_reply" and words in message
    for name in ("JSONDecodeError", "TypeError", "KeyError", "ValueError", "Error)"):
        assert name not in message


def test_a_number_another_kiosk_also_gave_comes_back_as_a_conflict(office, office_cfg):
    mine, theirs = make_tickets(2, "K1"), make_tickets(3, "K2")
    patient = {"read_timeout_s": 10, "attempt_deadline_s": 30}  # not about timeouts (load)
    first = SyncClient(office_cfg(office.url, **patient), "K1").upload(mine)
    assert first.conflict_ids == () and first.clashes == ()
    reply = SyncClient(office_cfg(office.url, token="k2-token", **patient), "K2").upload(theirs)
    assert reply.accepted_ids == tuple(t.id for t in theirs)       # stored all the same
    assert set(reply.conflict_ids) == {theirs[0].id, theirs[1].id}
    assert [c["number"] for c in reply.clashes] == ["A001", "A002"]
    assert reply.clashes[0]["kiosks"] == ["K1", "K2"]
    assert office.repo.count_checkins() == 5


def test_malformed_counter_figures_are_dropped_and_the_upload_still_succeeds(raw, server_cfg,
                                                                             caplog):
    body = {"accepted": [], "server_time": "2026-11-30T09:00:00+07:00", "now_serving": {},
            "queues": {"A": {"waiting": 4, "counters": 2}, "B": {"waiting": "many"},
                       "C": None},
            "handling": {"ktp-baru": {"median_s": 480.0, "count": 3}, "kk-baru": "slow"}}
    raw.script = [(200, {"Content-Type": "application/json"}, json.dumps(body).encode())]
    reply = SyncClient(server_cfg(raw.url), "K1").upload([])
    assert list(reply.queues) == ["A"] and reply.queues["A"].counters == 2
    assert reply.handling == {"ktp-baru": (480.0, 3)}
    assert "queues['B'] is malformed" in caplog.text and "handling['kk-baru']" in caplog.text
    body["queues"] = [1, 2]  # not an object at all
    raw.script = [(200, {"Content-Type": "application/json"}, json.dumps(body).encode())]
    assert SyncClient(server_cfg(raw.url), "K1").upload([]).queues == {}
