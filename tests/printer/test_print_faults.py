"""Printer faults told truthfully (issue 14): outcomes from the printer's own DLE EOT answers,
dead jobs, one state word for staff, transport errors with their fix."""
import threading
import time
from dataclasses import replace

import pytest
from printerpeer import NEAR_END, PAPER_OUT, READY, FullListener
from printer.devices import SerialPrinter, UsbPrinter
from printer.jobs import MAYBE_PARTLY, NOT_PRINTED, PRINTED
from printer.status import classify, state_of
from printer.worker import PrintJob, PrintWorker

from kiosk.errors import PrinterError

SLIP = b"\x1b@Nomor Antrian Anda\nA001\n" + b"Dokumen\n" * 40 + b"\x1dVA\x00"
COVER_OPEN = {1: 0x1A, 2: 0x16, 4: 0x12}


def job(tag="A001", data=SLIP):
    return PrintJob(ticket_id=tag, data=data, name=tag, length_mm=80.0)


def test_paper_running_out_during_the_slip_is_maybe_partly_printed(net_cfg, peer):
    peer.status, peer.status_after_data = READY, PAPER_OUT
    papers = []
    worker = PrintWorker(net_cfg, on_paper=lambda j, r: papers.append(r.outcome))
    result = worker.print_now(job())
    assert (result.ok, result.outcome, result.kind) == (False, MAYBE_PARTLY, "paper_out")
    assert "Kertas printer habis" in result.message and "sebagian" in result.message
    assert papers == [MAYBE_PARTLY]  # paper went out: counted, but not "printed"
    status = worker.status()
    assert status.state == "paper_out" and status.last_ok_at is None


@pytest.mark.parametrize("before,after,outcome,kind", [
    (READY, READY, PRINTED, "ok"),
    (READY, NEAR_END, PRINTED, "ok"),
    (PAPER_OUT, None, NOT_PRINTED, "paper_out"),
    (COVER_OPEN, None, NOT_PRINTED, "cover_open"),
    (READY, COVER_OPEN, MAYBE_PARTLY, "cover_open"),
    ({}, None, NOT_PRINTED, "timeout"),
    (READY, {}, MAYBE_PARTLY, "timeout"),
])
def test_outcome_comes_from_the_answers_before_and_after(net_cfg, peer, before, after,
                                                         outcome, kind):
    peer.status, peer.status_after_data = before, after
    result = PrintWorker(replace(net_cfg, timeout_s=0.3)).print_now(job())
    assert (result.outcome, result.kind, result.ok) == (outcome, kind, outcome == PRINTED)
    sent = peer.wait_jobs(1 if outcome != NOT_PRINTED else 0)
    assert bool(sent) == (outcome != NOT_PRINTED)


def test_a_connection_dropped_mid_slip_is_maybe_partly_printed(net_cfg, peer):
    peer.status, peer.drop_after = READY, 40
    result = PrintWorker(net_cfg).print_now(job(data=SLIP * 50))
    assert result.outcome == MAYBE_PARTLY and not result.ok
    assert "sebagian" in result.message


def test_a_job_given_up_at_its_deadline_never_reaches_the_printer(base_cfg):
    """timeout_s (5 s) > job_deadline_s (0.5 s): the connect is still waiting when the job
    is given up. The connect thread must close its socket, so when the printer frees up
    later no slip arrives."""
    printer = FullListener()
    try:
        cfg = replace(base_cfg, type="network", host="127.0.0.1", port=printer.port,
                      timeout_s=5.0, job_deadline_s=0.5, status_polling=False)
        worker = PrintWorker(cfg)
        started = time.monotonic()
        result = worker.print_now(job())
        assert time.monotonic() - started < 2.0
        assert (result.outcome, result.kind) == (NOT_PRINTED, "timeout")
        printer.drain()  # the printer frees up; the kernel would complete a retried SYN now
        time.sleep(3.5)  # past the SYN retries at 1 s and 3 s
        assert SLIP[:20] not in printer.received and printer.received == b""
        assert printer.accepted <= 1  # the filler connection only
        assert not [t for t in threading.enumerate() if t.name == "print-io"]
    finally:
        printer.close()


def test_a_cancelled_device_sends_nothing(net_cfg, peer):
    from printer.devices import open_device
    peer.status = READY
    cancel = threading.Event()
    device = open_device(net_cfg, cancel)
    cancel.set()
    with pytest.raises(PrinterError) as err:
        device.deliver(job())
    device.close()
    assert err.value.kind == "timeout" and peer.wait_jobs(0) == []


@pytest.mark.parametrize("answers,word", [
    (PAPER_OUT, "paper_out"), (COVER_OPEN, "cover_open"), ({}, "silent"),
    (READY, "ready"), (NEAR_END, "near_end"),
])
def test_staff_state_word_agrees_with_the_error(net_cfg, peer, answers, word):
    from kiosk.config import load_config
    from kiosk.desks.staffwords import printer_words
    peer.status = answers
    worker = PrintWorker(replace(net_cfg, timeout_s=0.3))
    result = worker.print_now(job())
    status = worker.status()
    assert status.state == word
    text = printer_words(status, replace(load_config(None), printer=net_cfg), lambda m, **k:
                         m.format(**k))
    shown = {"paper_out": "Keadaan: Kertas habis", "cover_open": "Keadaan: Tutup printer",
             "silent": "Keadaan: Tidak menjawab", "ready": "Keadaan: Siap",
             "near_end": "Keadaan: Kertas hampir habis"}[word]
    assert shown in text and "Tidak terhubung" not in text
    assert result.message in text if result.message else "tidak ada" in text


def test_a_hung_printer_is_not_ready(net_cfg, peer):
    peer.status, peer.mode = READY, "stall"
    worker = PrintWorker(replace(net_cfg, job_deadline_s=0.8))
    result = worker.print_now(job(data=SLIP * 4000))
    assert result.kind == "timeout" and worker.status().state == "silent"


def test_refresh_of_a_silent_printer_is_not_ready(net_cfg, peer):
    peer.status = {}
    worker = PrintWorker(net_cfg)
    status = worker.status(refresh=True)
    assert status.state == "silent" and "tidak menjawab" in status.last_error


def test_state_of_takes_the_kind_over_the_offline_bit():
    assert state_of("paper_out", {"online": False, "paper": "out"}) == "paper_out"
    assert state_of("timeout", {"online": True, "paper": "unknown"}) == "silent"


def test_serial_permission_error_names_the_dialout_group():
    import serial
    exc = serial.SerialException(13, "could not open port /dev/ttyUSB0: [Errno 13] Permission "
                                     "denied: '/dev/ttyUSB0'")
    kind, message = classify(exc, "serial")
    assert kind == "permission" and "dialout" in message and "udev" not in message
    assert "udev" in classify(exc, "usb")[1]


def test_dev_null_as_serial_device_says_which_device_to_give():
    device = SerialPrinter("/dev/null", timeout_s=0.2)
    with pytest.raises(PrinterError) as err:
        device.open()
    assert err.value.kind == "not_found"
    assert "bukan port serial" in str(err.value) and "/dev/ttyUSB0" in str(err.value)


def test_missing_libusb_says_what_to_install():
    import usb.core

    def finder(**_kw):
        raise usb.core.NoBackendError("No backend available")
    device = UsbPrinter(0x04B8, 0x0E15, timeout_s=0.2, finder=finder)
    with pytest.raises(PrinterError) as err:
        device.open()
    assert "libusb-1.0-0" in str(err.value) and "apt-get install" in str(err.value)
