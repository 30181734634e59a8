"""Slips in the profile's code pages and columns; copies, QR payload and the paper counter
(issue 14)."""
from dataclasses import replace

from printerpeer import READY
from printer.codepages import menu_print_warnings, primary_code_page, unprintable
from printer.profiles import profile_columns
from printer.slip import (COPY_MARK, parse_qr_payload, qr_payload, render_escpos,
                          slip_blocks)
from printer.blocks import QR, Text


def test_pc858_prints_the_euro_sign_and_nordic_letters(ticket, make_info):
    info = make_info(service_name="Rp 5.000 \u20ac \u00c6r\u00f8")
    data = render_escpos(slip_blocks(ticket, info, 80), "TM-T20II", 80)
    assert primary_code_page("TM-T20II") == "CP858"
    assert data.startswith(b"\x1b@\x1bt\x13")  # ESC t 19: PC858
    assert b"Rp 5.000 \xd5 \x92r\x9b" in data  # PC858: euro 0xD5, AE 0x92, o-slash 0x9B


def test_a_profile_without_pc858_falls_back_to_pc437():
    assert primary_code_page("TM-T88V") == "CP858"
    assert primary_code_page("POS-5890") in ("CP858", "CP437")


def test_characters_no_code_page_has_are_named(menu):
    assert unprintable("\U0001F600\U0001F600 Layanan \u00e9", "TM-T20II") == ["\U0001F600"]
    assert unprintable("Rp 5.000 \u20ac", "TM-T20II") == []
    service = menu.services[0]
    names = service.names.model_copy(update={"id": "\U0001F4C4\U0001F4C4"})
    bad = menu.model_copy(update={"services": [service.model_copy(update={"names": names})]
                                  + list(menu.services[1:])})
    warnings = menu_print_warnings(bad, "TM-T20II")
    assert len(warnings) == 1 and service.code in warnings[0] and "nama (id)" in warnings[0]
    assert "\U0001F4C4" in warnings[0] and "'?'" in warnings[0]
    assert menu_print_warnings(menu, "TM-T20II") == []


def test_number_fits_one_line_of_a_42_column_profile(make_ticket, info):
    ticket = make_ticket(number="A12-1000")
    cols = profile_columns("TM-T88V", 80)
    assert cols == 42
    blocks = slip_blocks(ticket, info, 80, cols)
    number = [b for b in blocks if isinstance(b, Text) and "A12" in b.text]
    assert [b.text for b in number] == ["A12-1000"] and number[0].width * 8 <= 42
    data = render_escpos(blocks, "TM-T88V", 80)
    assert b"A12-1000\n" in data


def test_qr_code_lets_a_counter_find_the_ticket(ticket, info):
    payload = qr_payload(ticket)
    assert payload == f"DKQ1|2026-11-29|K1|A001|{ticket.id}"
    assert parse_qr_payload(payload) == {"office_day": "2026-11-29", "kiosk_id": "K1",
                                         "number": "A001", "id": ticket.id}
    assert [b.data for b in slip_blocks(ticket, info, 80) if isinstance(b, QR)] == [payload]


def test_a_copy_is_marked_and_keeps_every_line(ticket, info):
    original = [b for b in slip_blocks(ticket, info, 80)]
    copy = slip_blocks(ticket, replace(info, copy=True), 80)
    texts = [b.text for b in copy if isinstance(b, Text)]
    assert texts.count(COPY_MARK) == 2
    assert [b for b in copy if not (isinstance(b, Text) and b.text == COPY_MARK)
            and type(b).__name__ != "Feed"] == \
        [b for b in original if type(b).__name__ != "Feed"]


def _service(config, store, peer):
    from printer.slips import SlipService
    from printer.worker import PrintWorker
    net = replace(config.printer, type="network", host="127.0.0.1", port=peer.port,
                  timeout_s=0.5, job_deadline_s=2.0)
    cfg = replace(config, printer=net)
    slips = SlipService(cfg, store)
    slips.worker = PrintWorker(net, on_result=slips.on_result, on_paper=slips.count_paper)
    return slips


def _issue(store, menu):
    service = menu.visible_services()[0]
    return store.issue_ticket(service_code=service.code, queue=service.queue, language="id")


def test_reprint_is_a_copy_with_the_original_wait_line(config, store, menu, peer):
    peer.status = READY
    slips = _service(config, store, peer)
    ticket = _issue(store, menu)
    first = slips.worker.print_now(slips.job(ticket, slips.info(ticket, menu, 4, 60)))
    assert first.ok
    slips._keep(ticket.id, slips.info(ticket, menu, 4, 60))
    slips.worker.start()
    try:
        assert slips.reprint(ticket.id, menu)
        jobs = peer.wait_jobs(2)
    finally:
        slips.worker.stop()
    copy = jobs[1]
    assert COPY_MARK.encode() in copy and COPY_MARK.encode() not in jobs[0]
    assert b"Perkiraan waktu tunggu: 1 jam\n" in copy and b"Orang di depan Anda: 4" in copy


def test_a_reprint_after_a_restart_invents_no_wait(config, store, menu, peer):
    peer.status = READY
    slips = _service(config, store, peer)  # a fresh service: the original's lines are gone
    _issue(store, menu)
    ticket = _issue(store, menu)  # A002
    slips.worker.start()
    try:
        assert slips.reprint(ticket.id, menu)
        copy = b" ".join(peer.wait_jobs(1)[0].split())
    finally:
        slips.worker.stop()
    assert COPY_MARK.encode() in copy and b"Perkiraan waktu tunggu belum tersedia" in copy
    assert b"menit" not in copy and b"Orang di depan" not in copy
    assert b"Urutan Anda: ke-2 di antrian A" in copy


def test_every_slip_is_counted_test_prints_too(config, store, menu, peer):
    peer.status = READY
    slips = _service(config, store, peer)
    ticket = _issue(store, menu)
    test_ticket = ticket.evolve(id="0" * 32, number="A000")
    result = slips.worker.print_now(slips.job(test_ticket,
                                              slips.info(test_ticket, menu, 0, None, test=True)))
    assert result.ok
    used = slips.paper_used()
    assert used["slips"] == 1 and used["mm"] > 50


def test_a_slip_cut_short_is_failed_in_the_reprint_list(config, store, menu, peer):
    from printerpeer import PAPER_OUT
    peer.status, peer.status_after_data = READY, PAPER_OUT
    slips = _service(config, store, peer)
    ticket = _issue(store, menu)
    told = []
    slips.listeners.append(lambda t, r: told.append(r.outcome))
    slips.worker.start()
    try:
        slips.submit(ticket, menu, 0, None)
        from printerpeer import wait_for
        wait_for(told, 1)
    finally:
        slips.worker.stop()
    assert told == ["maybe_partly"]
    failed = store.failed_today()
    assert [t.id for t in failed] == [ticket.id] and "sebagian" in failed[0].print_error
