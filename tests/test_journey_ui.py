"""Resident journeys through the real app, offscreen, with touches into real widgets."""

from screens import driver
from lobby.launch import journey


def take_ticket(app, lang="id", service_index=0):
    journey(app, lang, service_index)
    screen = app.sm.get_screen("ticket")
    driver.pump_until(lambda: screen.print_state != "pending", timeout=10)
    number = screen.number
    driver.tap(screen.ids.done)
    assert app.sm.current == "welcome"
    return number


def open_service(app, lang="id", index=0):
    """Tap a language, then the index-th service; returns the rules screen."""
    driver.tap(app.sm.get_screen("welcome").ids["lang_" + lang])
    driver.tap(list(reversed(app.sm.get_screen("services").ids.grid.children))[index])
    return app.sm.get_screen("rules")


def spool_files(app):
    return sorted(app.runtime.config.printer.path.glob("*.bin"))


def test_two_residents_in_a_row_get_a001_then_a002_and_slips(kiosk_app):
    assert take_ticket(kiosk_app) == "A001"
    assert take_ticket(kiosk_app, "en") == "A002"
    slips = spool_files(kiosk_app)
    assert len(slips) == 2
    data = slips[1].read_bytes()
    assert b"A002" in data and b"Your Queue Number" in data
    assert b"Nomor Antrian Anda" in slips[0].read_bytes()
    assert all(p.with_suffix(".png").exists() for p in slips)
    assert [t.print_status for t in kiosk_app.runtime.store.tickets()] == ["printed", "printed"]


def test_restart_continues_at_a003(make_app):
    app = make_app()
    take_ticket(app), take_ticket(app)
    app = make_app()  # the kiosk restarts on the same data directory
    assert take_ticket(app) == "A003"


def test_next_office_day_starts_at_a001(make_app, clock):
    app = make_app()
    take_ticket(app), take_ticket(app)
    clock.advance(days=1)
    assert take_ticket(app) == "A001"


def test_ticket_screen_shows_number_service_counter_and_documents(kiosk_app):
    journey(kiosk_app, "id", service_index=4)  # Kartu Keluarga baru, queue B
    screen = kiosk_app.sm.get_screen("ticket")
    assert screen.number == "B001"
    assert screen.service_title == "Kartu Keluarga baru"
    assert screen.counter == "Loket 2"
    assert screen.documents.startswith("[b]Dokumen yang perlu dibawa:[/b]\n- ")
    assert "Syarat" not in screen.documents  # kk-baru lists no conditions
    assert screen.ahead_text == ("Urutan Anda: ke-1 di antrian B dari kiosk ini hari ini\n"
                                 "Perkiraan waktu tunggu belum tersedia")  # offline


def test_english_ticket_says_counter_and_lists_requirements_apart(kiosk_app):
    journey(kiosk_app, "en", service_index=0)  # KTP-el enrolment: age 17+ is a requirement
    screen = kiosk_app.sm.get_screen("ticket")
    assert screen.counter == "Counter 1"
    requirements, documents = screen.documents.split("\n[b]Documents to bring:[/b]\n")
    assert requirements.startswith("[b]Requirements:[/b]\n- Aged 17 or over")
    assert documents == "- Photocopy of the family card (KK)"
    assert screen.ahead_text.startswith("Your place: 1 in queue A among this kiosk's tickets")
    driver.pump_until(lambda: spool_files(kiosk_app), timeout=30)
    data = spool_files(kiosk_app)[0].read_bytes()
    assert b"Counter 1" in data and b"Loket" not in data
    assert data.index(b"Requirements:") < data.index(b"Aged 17") < data.index(b"Documents to bring:")


def test_resident_status_line_has_no_technical_words(kiosk_app):
    for lang in ("id", "en"):
        kiosk_app.lang = lang
        text = kiosk_app.staff.resident_status()
        assert not any(w in text.lower() for w in ("offline", "luring", "online", "daring",
                                                   "sinkron", "sync")), text


def test_rapid_taps_on_take_number_give_one_ticket(kiosk_app):
    app = kiosk_app
    rules = open_service(app, "id", 0)
    for card in rules.cards():
        driver.tap(card)
    from kivy.tests.common import UnitTestTouch
    x, y = rules.ids.take.to_window(*rules.ids.take.center)
    for _ in range(15):  # a tap storm, without letting a frame pass in between
        t = UnitTestTouch(x, y)
        t.touch_down()
        t.touch_up()
    driver.pump_until(lambda: app.sm.current == "ticket")
    for _ in range(5):  # more taps where the button was
        t = UnitTestTouch(x, y)
        t.touch_down()
        t.touch_up()
        driver.pump()
    assert len(app.runtime.store.tickets()) == 1


def test_double_tap_on_a_service_and_rule_cards_need_own_taps(kiosk_app):
    app = kiosk_app
    rules = open_service(app, "id", 0)
    driver.tap(rules.cards()[0])
    driver.tap(rules.cards()[1])
    assert rules.ids.take.disabled  # two of three confirmed: no ticket possible
    driver.tap(rules.ids.take)
    assert app.runtime.store.tickets() == []
    app.sm.clock.advance(1.0)  # a later tap (not a double tap) takes a confirmation back
    driver.tap(rules.cards()[1])
    driver.tap(rules.cards()[2])
    assert rules.ids.take.disabled


def test_back_on_every_step_and_selection_is_cleared(kiosk_app):
    app = kiosk_app
    rules = open_service(app, "en", 1)
    driver.tap(rules.cards()[0])
    driver.tap(rules.ids.back)
    assert app.sm.current == "services"
    driver.tap(app.sm.get_screen("services").ids.back)
    assert app.sm.current == "welcome" and app.flow.journey is None and app.lang == "id"


def test_idle_timeout_returns_to_welcome_and_clears_the_selection(make_app):
    app = make_app(kiosk={"idle_timeout_s": "1"})
    driver.tap(app.sm.get_screen("welcome").ids.lang_en)
    driver.tap(list(reversed(app.sm.get_screen("services").ids.grid.children))[0])
    assert app.sm.current == "rules"
    driver.pump(5)
    assert app.sm.current == "rules"  # idle time is the kiosk's clock, not slow frames
    app.ui_clock.advance(1.5)
    driver.pump_until(lambda: app.sm.current == "welcome", timeout=30)
    assert app.flow.journey is None and app.lang == "id"
    assert app.runtime.store.tickets() == []


def test_ticket_screen_returns_to_welcome_by_itself(make_app):
    app = make_app(kiosk={"ticket_screen_s": "3"})
    journey(app)
    screen = app.sm.get_screen("ticket")
    driver.pump(5)
    assert app.sm.current == "ticket" and screen.seconds_left == 3
    app.ui_clock.advance(1.1)
    driver.pump_until(lambda: screen.seconds_left == 2, timeout=30)
    assert "(2)" in screen.ids.done.text
    app.ui_clock.advance(2)
    driver.pump_until(lambda: app.sm.current == "welcome", timeout=30)


def test_closed_service_cannot_be_chosen(kiosk_app, clock):
    clock.set_local("2026-12-04T11:30:00")  # Friday, after the 11:00 closing
    app = kiosk_app
    driver.tap(app.sm.get_screen("welcome").ids.lang_id)
    button = list(reversed(app.sm.get_screen("services").ids.grid.children))[0]
    assert not button.available and "Tutup" in button.note and "Senin 08:00" in button.note
    driver.tap(button)
    assert app.sm.current == "services"


def test_failed_print_keeps_the_ticket_and_says_see_staff(make_app):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there: the printer is "off"
    app = make_app(printer={"type": "network", "host": "127.0.0.1", "port": str(port),
                            "timeout_s": "1", "job_deadline_s": "2"})
    journey(app)
    screen = app.sm.get_screen("ticket")
    driver.pump_until(lambda: screen.print_state == "failed", timeout=8)
    assert screen.number == "A001"
    assert "petugas" in screen.print_text
    t = app.runtime.store.tickets()[0]
    assert t.print_status == "failed" and t.print_error


def test_priority_lane_toggle_gives_a_priority_number(kiosk_app):
    app = kiosk_app
    driver.tap(app.sm.get_screen("welcome").ids.lang_id)
    services = app.sm.get_screen("services")
    driver.tap(services.ids.priority)
    assert services.priority
    driver.tap(list(reversed(services.ids.grid.children))[0])
    rules = app.sm.get_screen("rules")
    for card in rules.cards():
        driver.tap(card)
    driver.tap(rules.ids.take)
    driver.pump_until(lambda: app.sm.current == "ticket")
    screen = app.sm.get_screen("ticket")
    assert screen.number == "P001" and screen.counter == "Loket Prioritas"


def test_welcome_says_when_the_office_is_closed_and_opens_again(kiosk_app, clock):
    app = kiosk_app
    welcome = app.sm.get_screen("welcome")
    clock.set_local("2026-12-05T10:00:00")  # Saturday
    driver.pump_until(lambda: welcome.closed, timeout=3)
    assert "Kantor sedang tutup" in welcome.notice and "Senin 08:00" in welcome.notice
    assert "The office is closed" in welcome.notice and "Monday" in welcome.notice
    driver.tap(welcome.ids.lang_id)
    assert app.sm.current == "welcome"
    clock.set_local("2026-12-07T08:00:00")  # Monday opening
    driver.pump_until(lambda: not welcome.closed, timeout=3)
    driver.tap(welcome.ids.lang_id)
    assert app.sm.current == "services"


def test_paper_running_out_mid_slip_is_told_while_the_ticket_shows(make_app):
    """Issue 14: the printer answers "paper out" after taking the slip: the resident is told
    the slip may be cut short (in their language), staff get it in the reprint list."""
    import sys
    from pathlib import Path
    sys.path.append(str(Path(__file__).parent / "printer"))
    from printerpeer import PAPER_OUT, READY, PrinterPeer
    peer = PrinterPeer()
    peer.status, peer.status_after_data = READY, PAPER_OUT
    try:
        app = make_app(printer={"type": "network", "host": "127.0.0.1", "port": str(peer.port),
                                "timeout_s": "1", "job_deadline_s": "4"})
        journey(app, "en")
        screen = app.sm.get_screen("ticket")
        driver.pump_until(lambda: screen.print_state != "pending", timeout=8)
        assert app.sm.current == "ticket" and screen.print_state == "partly"
        assert "cut short" in screen.print_text and "staff" in screen.print_text
        failed = app.runtime.store.failed_today()
        assert [t.number for t in failed] == [screen.number]
        assert app.runtime.printer.status().state == "paper_out"
    finally:
        peer.close()


def test_still_there_counts_down_before_the_idle_reset_and_a_touch_keeps_the_journey(make_app):
    app = make_app(kiosk={"idle_timeout_s": "30"})
    rules = open_service(app, "id", 0)
    driver.tap(rules.cards()[0])
    notice = app.still_there
    app.ui_clock.advance(10)
    driver.pump(3)
    assert not notice.shown  # 20 s left: no warning yet
    app.ui_clock.advance(10.5)  # 9.5 s left
    driver.pump_until(lambda: notice.shown, timeout=30)
    assert notice.ids.countdown.text == "Layar kembali ke awal dalam 10 detik."
    app.ui_clock.advance(1)
    driver.pump_until(lambda: notice.seconds_left == 9, timeout=30)
    driver.tap(notice.ids.keep)
    driver.pump(3)
    assert not notice.shown and app.sm.current == "rules"
    assert app.flow.journey is not None and "mask" in app.flow.journey.confirmed
    app.ui_clock.advance(31)  # then nobody: the reset is as before
    driver.pump_until(lambda: app.sm.current == "welcome", timeout=30)
    assert app.flow.journey is None and not notice.shown


def test_still_there_speaks_english_to_an_english_journey(make_app):
    app = make_app(kiosk={"idle_timeout_s": "30"})
    open_service(app, "en", 0)
    app.ui_clock.advance(25)
    driver.pump_until(lambda: app.still_there.shown, timeout=30)
    assert app.still_there.ids.countdown.text.startswith("The screen goes back to the start")


def test_a_slip_result_arriving_after_the_app_stopped_touches_no_widget(kivy_window, ini, clock):
    """The print worker reports on its own thread. Once the app stopped (a test, `kiosk
    screenshots` or selftest starting the next app) a late result must not schedule work on
    the dead screens: their labels would lay out with no running app (CI, stop 16)."""
    from kivy.clock import Clock
    from kiosk.config import load_config
    from lobby.runtime import KioskRuntime
    from printer.jobs import PrintResult
    from screens.app import LobbyApp
    runtime = KioskRuntime(load_config(ini()), clock=clock).start()
    try:
        app = driver.start_app(LobbyApp(runtime, ui_clock=driver.StepClock(), freeze_gc=False))
        late = app._print_result
        driver.stop_app(app)
        assert late not in runtime.slips.listeners
        before = len(Clock.get_events())
        late(None, PrintResult(ticket_id="A001", ok=True, kind="ok", message="",
                         duration_ms=5))
        assert len(Clock.get_events()) == before
        driver.pump(2)  # nothing pending that needs a running app
    finally:
        runtime.stop()
