"""USB (fake pyusb device), file spool, status parsing, error words, and worker housekeeping."""
import errno
import threading
import time
from dataclasses import replace

import pytest
import usb.core
from PIL import Image

from kiosk.errors import PrinterError
from printerpeer import wait_for
from printer.devices import UsbPrinter, describe, open_device
from printer.status import classify, parse_status
from printer.worker import MAX_STUCK, PrintJob, PrintWorker

SLIP = b"\x1b@A001\n"


def submit_and_wait(worker, one, results):
    """Start ``worker``, submit ``one`` and wait (3 s at most) for its result in ``results``."""
    worker.start()
    try:
        worker.submit(one)
        wait_for(results, 1)
    finally:
        worker.stop()


def job(tag="A001", **kw):
    return PrintJob(ticket_id=tag, data=SLIP, name=f"2026-11-29_{tag}_3f2b8c1e", **kw)


class FakeUsbDevice:
    """Enough of a pyusb Device for UsbPrinter; ``fail`` maps a method name to an exception."""

    def __init__(self, fail=None, status=b"\x12"):
        self.fail, self.status, self.written = dict(fail or {}), status, b""

    def _maybe_fail(self, name):
        if name in self.fail:
            raise self.fail[name]

    def is_kernel_driver_active(self, interface):
        return "detach_kernel_driver" in self.fail

    def detach_kernel_driver(self, interface):
        self._maybe_fail("detach_kernel_driver")

    def get_active_configuration(self):
        return object()

    def write(self, ep, data, timeout):
        assert ep == 0x01 and timeout == 500  # explicit timeout, in ms
        self._maybe_fail("write")
        self.written += bytes(data)
        return len(data)

    def read(self, ep, size, timeout):
        if not self.status:
            raise usb.core.USBTimeoutError("timed out", errno=errno.ETIMEDOUT)
        return bytearray(self.status)


@pytest.fixture
def usb_cfg(base_cfg):
    return replace(base_cfg, type="usb", vendor_id=0x04B8, product_id=0x0E15)


def usb_factory(devices):
    """device_factory building real UsbPrinter objects over the scripted fake devices."""
    def factory(cfg):
        device = devices.pop(0) if devices else FakeUsbDevice()
        printer = UsbPrinter(cfg.vendor_id, cfg.product_id, cfg.interface, cfg.in_ep,
                             cfg.out_ep, cfg.timeout_s, profile=cfg.profile,
                             finder=lambda **match: device)
        printer.open()
        factory.last = device
        return printer
    return factory


def test_usb_trouble_is_named_for_staff_and_the_next_job_prints(usb_cfg):
    devices = [
        FakeUsbDevice(fail={"write": usb.core.USBError("Resource busy", errno=errno.EBUSY)}),
        FakeUsbDevice(fail={"detach_kernel_driver":
                            usb.core.USBError("Access denied (insufficient permissions)",
                                              errno=errno.EACCES)}),
        None,  # unplugged: usb.core.find finds nothing
        FakeUsbDevice(fail={"write": usb.core.USBError("No such device (it may have been "
                                                       "disconnected)", errno=errno.ENODEV)}),
        FakeUsbDevice(),
    ]
    factory = usb_factory(devices)
    worker = PrintWorker(usb_cfg, device_factory=factory)
    results = [worker.print_now(job(f"A00{n}")) for n in range(5)]
    assert [r.kind for r in results] == ["busy", "permission", "not_found", "not_found", "ok"]
    assert "dipakai program lain" in results[0].message
    assert "udev" in results[1].message
    assert "04b8:0e15" in results[2].message and "tidak ditemukan" in results[2].message
    status_requests = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
    assert factory.last.written == status_requests + SLIP + status_requests  # ask, send, confirm
    assert worker.status().online is True and worker.status().last_error == ""


def test_raw_usb_errors_from_an_injected_factory_are_classified(usb_cfg):
    errors = [usb.core.USBError("Resource busy", errno=16),
              usb.core.USBError("Access denied", errno=13)]

    class Ok:
        def deliver(self, job):
            self.sent = job.data

        def close(self):
            pass

    def factory(cfg):
        if errors:
            raise errors.pop(0)
        return Ok()

    worker = PrintWorker(usb_cfg, device_factory=factory)
    assert [worker.print_now(job()).kind for _ in range(3)] == ["busy", "permission", "ok"]


def test_usb_status_without_answer_is_unknown_and_fails_the_job(usb_cfg):
    worker = PrintWorker(usb_cfg, device_factory=usb_factory([FakeUsbDevice(status=b"")]))
    result = worker.print_now(job())
    assert not result.ok and "Printer tidak menjawab" in result.message
    assert worker.status().paper == "unknown"
    assert worker.print_now(job()).ok  # a printer that answers prints again


def test_usb_silence_with_status_polling_off_prints_as_before(usb_cfg):
    device = FakeUsbDevice(status=b"")
    worker = PrintWorker(replace(usb_cfg, status_polling=False),
                         device_factory=usb_factory([device]))
    assert worker.print_now(job()).ok and device.written == SLIP


def test_dle_eot_answers_are_parsed_per_the_spec():
    assert parse_status({1: 0x12, 2: 0x12, 4: 0x12}) == \
        {"online": True, "cover_open": False, "paper": "ok"}
    assert parse_status({1: 0x1A, 2: 0x32, 4: 0x72})["paper"] == "out"
    assert parse_status({4: 0x1E})["paper"] == "near_end"
    assert parse_status({1: 0x1A, 2: 0x16})["cover_open"] is True
    assert parse_status({1: 0x1A, 2: 0x32})["paper"] == "out"  # stopped by paper end
    for silent in ({}, {1: None}, {1: 0x00, 4: 0xFF}):  # no or malformed answer
        assert parse_status(silent) == {"online": None, "cover_open": None, "paper": "unknown"}


def test_errors_become_plain_words():
    assert classify(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))[0] == "offline"
    assert classify(OSError(errno.EHOSTUNREACH, "No route to host"))[0] == "offline"
    assert classify(TimeoutError("timed out"))[0] == "timeout"
    kind, message = classify(OSError(errno.ENOSPC, "No space left on device"))
    assert kind == "error" and message.startswith("Disk penuh")
    assert classify(PrinterError("x", kind="paper_out")) == ("paper_out", "x")
    assert classify(ValueError("odd"))[0] == "error"


def test_file_printer_writes_bytes_and_preview(base_cfg, tmp_path):
    spool = tmp_path / "data" / "spool"
    cfg = replace(base_cfg, type="file", path=spool)
    worker = PrintWorker(cfg)
    png = Image.new("L", (464, 100), 255)
    first, again = worker.print_now(job(png=png)), worker.print_now(job(png=png))
    assert first.ok and again.ok and first.kind == "ok"
    stem = "2026-11-29_A001_3f2b8c1e"
    assert (spool / f"{stem}.bin").read_bytes() == SLIP
    assert Image.open(spool / f"{stem}.png").size == (464, 100)
    assert (spool / f"{stem}-2.bin").exists()  # a reprint never overwrites
    assert sorted(p.name for p in spool.iterdir() if p.name.startswith(".")) == []
    assert worker.status(refresh=True).paper == "unknown"
    assert worker.print_now(PrintJob("x", SLIP, name="../../etc/passwd")).ok
    assert (spool / "etc_passwd.bin").exists() and not (tmp_path / "etc").exists()


def test_a_slip_being_written_is_not_yet_a_bin_or_png_in_the_spool(base_cfg, tmp_path):
    spool = tmp_path / "spool"
    seen = []

    class Preview:  # PNG bytes written slowly: what does the folder show meanwhile?
        def save(self, fh, fmt):
            fh.write(b"\x89PNG half")
            seen.append(sorted(p.name for p in spool.glob("*.png")))
            seen.append(sorted(p.name for p in spool.glob("*.bin")))
    assert PrintWorker(replace(base_cfg, type="file", path=spool)).print_now(
        job(png=Preview())).ok
    assert seen == [[], ["2026-11-29_A001_3f2b8c1e.bin"]]  # the .bin is complete by then
    assert sorted(p.name for p in spool.iterdir()) == ["2026-11-29_A001_3f2b8c1e.bin",
                                                       "2026-11-29_A001_3f2b8c1e.png"]


def test_file_printer_problems_become_results_not_exceptions(base_cfg, tmp_path):
    blocker = tmp_path / "spool"
    blocker.write_text("not a folder")
    results = []
    worker = PrintWorker(replace(base_cfg, type="file", path=blocker / "x"),
                         on_result=results.append)
    submit_and_wait(worker, job(), results)
    assert results[0].kind == "error" and not results[0].ok
    assert str(blocker / "x") in results[0].message


class HangingDevice:
    def __init__(self, release):
        self.release, self.interrupted = release, False

    def deliver(self, job):
        self.release.wait()

    def interrupt(self):
        self.interrupted = True

    def close(self):
        pass


def test_a_write_that_never_returns_ends_at_the_job_deadline(base_cfg):
    release, made = threading.Event(), []
    cfg = replace(base_cfg, type="dummy", job_deadline_s=0.3, status_polling=False)

    def factory(c):
        made.append(HangingDevice(release) if len(made) < MAX_STUCK else open_device(c))
        return made[-1]

    worker = PrintWorker(cfg, device_factory=factory)
    try:
        started = time.monotonic()
        first = worker.print_now(job())
        assert first.kind == "timeout" and 250 <= first.duration_ms < 1000
        assert made[0].interrupted
        assert worker.print_now(job()).kind == "timeout"
        wedged = worker.print_now(job())  # too many writes stuck: refused at once
        assert wedged.kind == "timeout" and "macet" in wedged.message
        assert wedged.duration_ms < 100 and time.monotonic() - started < 2
        release.set()
        time.sleep(0.05)
        assert worker.print_now(job()).ok  # the printer came back: printing resumes
    finally:
        release.set()


def test_clear_drops_waiting_jobs_and_reports_them(base_cfg):
    results = []
    worker = PrintWorker(replace(base_cfg, type="dummy"), on_result=results.append)
    for n in range(3):
        worker.submit(job(f"A00{n}"))
    assert worker.status().queued == 3
    assert worker.clear() == 3 and worker.status().queued == 0
    assert [r.kind for r in results] == ["error"] * 3 and "Dibatalkan" in results[0].message
    worker.start()
    worker.stop()


def test_reconfigure_switches_printer_without_restart(base_cfg, tmp_path):
    results = []
    worker = PrintWorker(replace(base_cfg, type="dummy"), on_result=results.append)
    worker.reconfigure(replace(base_cfg, type="file", path=tmp_path))
    submit_and_wait(worker, job(), results)
    assert results[0].ok and (tmp_path / "2026-11-29_A001_3f2b8c1e.bin").exists()


def test_describe_names_the_printer_in_one_line(base_cfg):
    line = describe(replace(base_cfg, type="network", host="127.0.0.1", port=9100))
    assert line.startswith("network printer 127.0.0.1:9100, profile TM-T20II (QR, cutter), 80 mm")
    assert "UNKNOWN" in describe(replace(base_cfg, profile="nope"))
    assert "\n" not in describe(replace(base_cfg, type="usb", vendor_id=0x4B8, product_id=0xE15))
