"""The print worker against a real TCP printer peer on 127.0.0.1."""
import socket
import threading
import time
from dataclasses import replace

from printerpeer import NEAR_END, PAPER_OUT, READY, wait_for
from printer.worker import PrintJob, PrintWorker

SLIP = b"\x1b@Nomor Antrian Anda\nA001\n\x1dVA\x00"


def job(tag="A001", data=None):
    return PrintJob(ticket_id=tag, data=data or SLIP.replace(b"A001", tag.encode()), name=tag)


def collect():
    results, done = [], threading.Event()

    def on_result(result):
        results.append(result)
        done.set()
    return results, on_result


def test_job_bytes_reach_the_printer_exactly_once(net_cfg, peer):
    peer.status = READY
    result = PrintWorker(net_cfg).print_now(job())
    assert result.ok and result.kind == "ok" and result.message == ""
    assert peer.wait_jobs(1) == [SLIP]
    assert peer.requests == [1, 2, 4, 1, 2, 4]  # DLE EOT 1, 2, 4 before and after the job


def test_paper_out_is_reported_and_the_slip_is_not_buffered(net_cfg, peer):
    peer.status = PAPER_OUT
    worker = PrintWorker(net_cfg)
    result = worker.print_now(job("A001"))
    assert not result.ok and result.kind == "paper_out" and "Kertas" in result.message
    status = worker.status()
    assert status.paper == "out" and status.last_error == result.message
    assert peer.wait_jobs(0) == []  # nothing sent that could print later

    peer.status = READY  # paper replaced: only the next slip prints, no burst of old ones
    assert worker.print_now(job("A002")).ok
    assert peer.wait_jobs(1) == [job("A002").data]
    assert worker.status().paper == "ok"


def test_near_end_still_prints_and_warns_staff(net_cfg, peer):
    peer.status = NEAR_END
    worker = PrintWorker(net_cfg)
    assert worker.print_now(job()).ok
    assert worker.status().paper == "near_end"


def test_no_status_answer_fails_the_job_and_means_unknown_never_out(net_cfg, peer):
    peer.status = {}
    worker = PrintWorker(net_cfg)
    result = worker.print_now(job())
    assert not result.ok and result.message.startswith("Printer tidak menjawab")
    assert "status_polling = no" in result.message
    status = worker.status(refresh=True)
    assert status.paper == "unknown" and status.cover_open is None and status.online is True
    assert peer.wait_jobs(1) == []  # nothing sent that could print later


def test_a_printer_that_accepts_and_never_reads_fails_the_job_with_polling(net_cfg, peer):
    # The slip fits in the OS socket buffers, so the send "succeeds"; only the printer's
    # silence to DLE EOT shows it took nothing. Reported through on_result, for reprint.
    peer.mode = "stall"
    results, on_result = collect()
    worker = PrintWorker(net_cfg, on_result=on_result)
    worker.start()
    try:
        started = time.monotonic()
        worker.submit(job("A001"))
        wait_for(results, 1)
    finally:
        worker.stop()
    assert results[0].ticket_id == "A001" and not results[0].ok
    assert results[0].message.startswith("Printer tidak menjawab")
    assert time.monotonic() - started < net_cfg.job_deadline_s + 1
    status = worker.status()
    assert status.paper == "unknown" and status.cover_open is None
    assert status.last_error == results[0].message


def test_a_printer_that_stops_reading_after_answering_fails_after_the_send(net_cfg, peer):
    peer.status, peer.read_limit = READY, 9  # answers DLE EOT 1, 2, 4, then reads no more
    worker = PrintWorker(net_cfg)
    result = worker.print_now(job())
    assert not result.ok and result.kind == "timeout"
    assert result.message.startswith("Printer tidak menjawab setelah slip dikirim")
    assert worker.status().paper == "unknown"


def test_cover_open_refuses_the_job(net_cfg, peer):
    peer.status = {1: 0x1A, 2: 0x16, 4: 0x12}
    result = PrintWorker(net_cfg).print_now(job())
    assert result.kind == "cover_open" and "Tutup" in result.message


def test_status_polling_off_sends_no_status_request(net_cfg, peer):
    peer.status = PAPER_OUT
    worker = PrintWorker(replace(net_cfg, status_polling=False))
    assert worker.print_now(job()).ok
    assert peer.wait_jobs(1) == [SLIP] and peer.requests == []
    assert worker.status(refresh=True).paper == "unknown" and peer.requests == []


def test_refresh_asks_the_printer_on_the_worker_thread(net_cfg, peer):
    peer.status = PAPER_OUT
    worker = PrintWorker(net_cfg)
    worker.start()
    try:
        assert worker.status().paper == "unknown"
        status = worker.status(refresh=True)
        assert status.paper == "out" and status.online is False and status.queued == 0
    finally:
        worker.stop()


def test_a_printer_that_never_reads_ends_in_time_and_the_worker_goes_on(net_cfg, peer):
    # A slip small enough for the socket buffers is "sent" even to a stalled peer (TCP
    # cannot tell); a large one blocks the write, which ends at timeout_s.
    peer.mode = "stall"
    results, on_result = collect()
    worker = PrintWorker(replace(net_cfg, status_polling=False), on_result=on_result)
    worker.start()
    try:
        started = time.monotonic()
        worker.submit(job("A001", data=b"x" * 8_000_000))
        wait_for(results, 1)
        assert results[0].kind == "timeout" and not results[0].ok
        assert "tidak menerima data" in results[0].message
        assert time.monotonic() - started < net_cfg.job_deadline_s + 1

        peer.mode = "print"  # the printer recovers: the worker serves the next job
        worker.submit(job("A002"))
        wait_for(results, 2)
        assert results[1].ok
    finally:
        worker.stop()
    assert peer.wait_jobs(1) == [job("A002").data]


def test_printer_closing_idle_connections_gets_each_job_once(net_cfg, peer):
    peer.status, peer.idle_close_s = READY, 0.1
    worker = PrintWorker(net_cfg)
    assert worker.print_now(job("A001")).ok
    time.sleep(0.3)  # the printer drops the idle connection
    assert worker.print_now(job("A002")).ok
    assert peer.wait_jobs(2) == [job("A001").data, job("A002").data]
    assert peer.connections == 2


def test_closed_port_is_reported_offline_within_seconds(base_cfg):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    cfg = replace(base_cfg, type="network", host="127.0.0.1", port=port, timeout_s=3,
                  job_deadline_s=10)
    worker = PrintWorker(cfg)
    started = time.monotonic()
    result = worker.print_now(job())
    assert time.monotonic() - started < 2
    assert result.kind == "offline" and "127.0.0.1" in result.message
    assert "menolak" in result.message or "dihubungi" in result.message
    assert worker.status().online is False


def test_submit_never_blocks_on_a_dead_printer(base_cfg):
    cfg = replace(base_cfg, type="network", host="127.0.0.1", port=9)  # discard: refused
    results, on_result = collect()
    worker = PrintWorker(cfg, on_result=on_result)
    worker.start()
    try:
        started = time.monotonic()
        for n in range(5):
            worker.submit(job(f"A00{n}"))
        assert time.monotonic() - started < 0.05
        wait_for(results, 5)
        assert [r.kind for r in results] == ["offline"] * 5
    finally:
        worker.stop()


def test_a_status_reply_that_is_not_a_dle_eot_byte_is_no_answer(net_cfg, peer):
    for garbage in (0x00, 0xFF):
        peer.status = {1: garbage, 2: garbage, 4: garbage}
        result = PrintWorker(net_cfg).print_now(job())
        assert not result.ok and result.message.startswith("Printer tidak menjawab"), garbage
    assert peer.wait_jobs(1, timeout_s=0.5) == []
