"""Sync faults (issue 14) through a fault proxy in front of the real office server, and TLS
with a real handshake: one deadline per attempt, connections closed when given up, backoff
after 5xx/401, certificate problems told with their fix."""
import datetime as dt
import ipaddress
import time

import pytest
from faultproxy import FaultProxy
from syncpeers import FakeOutbox, make_tickets

from kiosk.sync import SyncWorker
from kiosk.sync_client import SYSTEM_CA_BUNDLE, SyncClient
from office.app import OfficeSettings, create_app
from office.auth import hash_token
from office.devserver import ServerThread


@pytest.fixture
def proxy(office):
    front = FaultProxy(office.port)
    yield front
    front.close()


def wait_for(predicate, timeout_s=10.0):
    end = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < end, "condition not reached in time"
        time.sleep(0.02)


def test_a_trickling_server_cannot_wedge_sync(office, proxy, server_cfg):
    """One byte every 2 s: each read finishes within read_timeout_s (3 s), the answer never
    does. Every attempt ends at its deadline and closes its connection; once the server is
    healthy the next attempt goes through (no 'earlier attempts still hanging')."""
    proxy.mode, proxy.trickle_s = "trickle", 2.0
    outbox = FakeOutbox(make_tickets(5))
    client = SyncClient(server_cfg(proxy.url, read_timeout_s=3.0, attempt_deadline_s=1.0), "K1")
    worker = SyncWorker(client, outbox)
    for _ in range(3):
        started = time.monotonic()
        report = worker.sync_once()
        assert time.monotonic() - started < 1.8
        assert report.error_kind == "timeout" and report.backlog == 5
    assert proxy.wait_idle(2.0) == 0  # every abandoned connection was closed by the kiosk
    proxy.mode = "pass"
    report = worker.sync_once()
    assert report.ok and report.uploaded == 5 and report.backlog == 0, report.error
    assert office.repo.count_checkins() == 5


def test_one_deadline_for_the_whole_attempt(office, server_cfg):
    """Each batch answers in 0.4 s, well within read_timeout_s; 8 batches would take 3.2 s.
    The attempt stops at its 1.2 s deadline (between batches: no error; mid-batch: timeout);
    the rest goes next time, nothing duplicated."""
    office.slow.delay_s, office.slow.times = 0.4, 100
    outbox = FakeOutbox(make_tickets(40))
    client = SyncClient(server_cfg(office.url, read_timeout_s=2.0, attempt_deadline_s=1.2,
                                   batch_size=5), "K1")
    worker = SyncWorker(client, outbox)
    started = time.monotonic()
    report = worker.sync_once()
    took = time.monotonic() - started
    assert took < 1.7 and report.error_kind in (None, "timeout") and report.menu == "skipped"
    assert 0 < report.uploaded < 40 and report.backlog == 40 - report.uploaded
    office.slow.times = 0
    for _ in range(10):
        if worker.sync_once().ok and outbox.pending_count() == 0:
            break
    assert outbox.pending_count() == 0 and office.repo.count_checkins() == 40


@pytest.mark.parametrize("mode,kind", [("500", "server"), ("401", "auth")])
def test_a_failing_server_is_backed_off_not_hit_by_every_new_ticket(office, proxy, server_cfg,
                                                                    mode, kind):
    proxy.mode = mode
    outbox = FakeOutbox(make_tickets(3))
    client = SyncClient(server_cfg(proxy.url), "K1")
    worker = SyncWorker(client, outbox, backoff_base_s=1.0, max_backoff_s=8.0,
                        interval_s=0.05, rng=lambda: 0.6).start()
    try:
        wait_for(lambda: worker.status().error_kind == kind)
        first = proxy.requests
        for _ in range(25):  # a busy lobby: a new ticket every 30 ms
            worker.poke()
            time.sleep(0.03)
        assert proxy.requests - first <= 1  # only the backoff timer (0.8 s), not 25 tickets
        proxy.mode = "pass"
        worker.poke(force=True)  # staff "Sinkron sekarang"
        wait_for(lambda: outbox.pending_count() == 0)
    finally:
        worker.stop()
    assert office.repo.count_checkins() == 3


def test_backoff_delays_are_jittered(server_cfg):
    values = iter([0.0, 0.99])
    worker = SyncWorker(SyncClient(server_cfg("http://127.0.0.1:9"), "K1"), FakeOutbox(),
                        backoff_base_s=2.0, max_backoff_s=60.0, rng=lambda: next(values))
    worker._failures = 3
    low, high = worker.next_delay_s(None), worker.next_delay_s(None)
    assert 4.0 <= low < high < 8.0


# -- TLS, with a real handshake against the real office server -------------------------------

def make_cert(folder, names):
    """A self-signed certificate for DNS/IP ``names``; returns (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alt = [x509.IPAddress(ipaddress.ip_address(n)) if n[0].isdigit() else x509.DNSName(n)
           for n in names]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / f"{names[0]}.pem", folder / f"{names[0]}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


#: timeouts for the TLS tests: generous hang guards (a loaded machine is slow to handshake)
SLOW_OK = {"connect_timeout_s": 3.0, "read_timeout_s": 3.0, "attempt_deadline_s": 6.0}


@pytest.fixture
def tls_office(tmp_path):
    """The real office server over https on 127.0.0.1 with a certificate for 'localhost'."""
    cert, key = make_cert(tmp_path, ["localhost"])
    app = create_app(OfficeSettings(db_url=f"sqlite:///{tmp_path / 'office.db'}"))
    app.state.repo.add_credential(hash_token("k1-token"), "kiosk", "K1")
    with ServerThread(app, ssl_certfile=str(cert), ssl_keyfile=str(key)) as server:
        server.cert = cert
        yield server


def test_tls_with_the_offices_own_ca_works(tls_office, server_cfg):
    url = f"https://localhost:{tls_office.port}"
    client = SyncClient(server_cfg(url, ca_bundle=tls_office.cert, **SLOW_OK), "K1")
    assert client.upload(make_tickets(2)).accepted_ids


def _tls_failure(cfg):
    outbox = FakeOutbox(make_tickets(1))
    report = SyncWorker(SyncClient(cfg, "K1"), outbox).sync_once()
    assert report.error_kind == "tls" and outbox.pending_count() == 1
    assert "Traceback" not in report.error and "Error" not in report.error
    return report.error


def test_an_untrusted_certificate_is_a_certificate_problem_with_its_fix(tls_office, server_cfg):
    cfg = server_cfg(f"https://localhost:{tls_office.port}", **SLOW_OK)
    assert SyncClient(cfg, "K1").session.verify == SYSTEM_CA_BUNDLE  # the system's store
    error = _tls_failure(cfg)
    assert "tidak dipercaya" in error and "ca_bundle" in error and SYSTEM_CA_BUNDLE in error


def test_a_hostname_mismatch_names_the_host(tls_office, server_cfg):
    cfg = server_cfg(f"https://127.0.0.1:{tls_office.port}", ca_bundle=tls_office.cert,
                     **SLOW_OK)
    error = _tls_failure(cfg)
    assert "nama lain" in error and "127.0.0.1" in error


def test_https_to_a_plain_http_port_says_so(office, server_cfg):
    error = _tls_failure(server_cfg(f"https://127.0.0.1:{office.port}", **SLOW_OK))
    assert "tidak memakai https" in error


def test_kiosk_sync_once_tells_a_certificate_problem_without_a_traceback(tls_office, tmp_path,
                                                                         clock):
    from test_sync_once import issue, kiosk_sync, write_ini
    ini = write_ini(tmp_path, f"https://localhost:{tls_office.port}")
    issue(ini, 1, clock)
    run = kiosk_sync(ini)
    assert run.returncode == 1, run.stderr
    assert "tidak dipercaya" in run.stdout and "ca_bundle" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert "AttributeError" not in run.stdout + run.stderr
