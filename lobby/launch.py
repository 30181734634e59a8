"""Start the kiosk, or drive it offscreen for ``kiosk selftest`` and ``kiosk screenshots``."""
from __future__ import annotations

import dataclasses
import logging
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from kiosk.errors import KioskError
from screens import driver

log = logging.getLogger(__name__)


def run_kiosk(config) -> int:
    """Run the kiosk full screen (per kiosk.ini) until staff exit it or a signal stops it.

    SIGTERM (``systemctl stop``) and SIGINT (Ctrl+C) stop it cleanly: the app
    stops, then the runtime (print worker, sync, store) is stopped and flushed.
    Touch, keys and the window manager cannot close it. Returns 0.
    """
    import os
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # SDL would turn SIGTERM/SIGINT into a window close request, which kiosk mode refuses;
    # Python's handlers below stop the app instead. Must be set before SDL starts.
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"
    from kivy.config import Config
    k = config.kiosk
    Config.set("graphics", "fullscreen", "auto" if k.fullscreen else "0")
    Config.set("graphics", "width", str(k.width))
    Config.set("graphics", "height", str(k.height))
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    from kivy.base import ExceptionHandler, ExceptionManager
    from kivy.clock import Clock
    from lobby.runtime import KioskRuntime
    from screens.app import LobbyApp

    class BackToWelcome(ExceptionHandler):
        """A bug in a screen must never leave a traceback or a dead kiosk in the lobby:
        log it, send the screen back to welcome, keep running. Tickets are already durable."""

        def handle_exception(self, exc):
            log.exception("unexpected error in the kiosk UI; returning to welcome")
            try:
                app.flow.reset()
            except Exception:
                log.exception("could not return to welcome")
            return ExceptionManager.PASS

    runtime = KioskRuntime(config).start()
    app = LobbyApp(runtime)
    ExceptionManager.add_handler(BackToWelcome())
    app.bind(on_start=lambda _app: Clock.schedule_once(lambda _dt: log.info(
        "kiosk ready (pid %d)", os.getpid())))
    previous = _stop_on_signals(app)
    try:
        app.run()
    finally:
        runtime.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _stop_on_signals(app) -> dict:
    """Make SIGTERM and SIGINT stop ``app`` on the main loop; returns the previous handlers."""
    from kivy.clock import Clock

    def handler(signum, _frame):
        name = signal.Signals(signum).name
        Clock.schedule_once(lambda _dt: app.stop_on_signal(name))

    return {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}


def _throwaway(config, data_dir: Path):
    """``config`` with its store in ``data_dir`` (the printer settings stay)."""
    return dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, data_dir=data_dir))


def _office_hours_clock(config, clock=None):
    """The office clock (``clock``, default the system's), moved to 5 minutes past the next
    office opening when the office is closed now (nights, Sundays), so a selftest or
    screenshot run shows open services at any hour. Returns an OfficeClock."""
    from datetime import timedelta
    from kiosk import schedule
    from kiosk.clock import OfficeClock
    from kiosk.menu import load_menu
    clock = OfficeClock.wrap(clock, config.office.timezone)
    menu = load_menu(config.menu_path)
    now = clock.local()
    if schedule.office_open(menu, now):
        return clock
    opening = schedule.next_opening(menu.office_hours, now)
    return clock.shifted((opening + timedelta(minutes=5)) - now if opening else timedelta(0))


def _open_app(config):
    driver.headless_env(config.kiosk.width, config.kiosk.height)
    from lobby.runtime import KioskRuntime
    from screens.app import LobbyApp
    runtime = KioskRuntime(config, clock=_office_hours_clock(config)).start()
    app = driver.start_app(LobbyApp(runtime))
    return runtime, app


def _showcase_service(menu) -> str:
    """The service code the screenshots show: ktp-baru if offered, else the first one.
    Raises KioskError when the menu offers none."""
    codes = [s.code for s in menu.visible_services()]
    if not codes:
        raise KioskError("the menu offers no enabled service; nothing to show")
    return "ktp-baru" if "ktp-baru" in codes else codes[0]


def journey(app, lang="id", service_index=0, rules=True):
    """Tap through welcome -> services -> rules (-> take number) like a resident."""
    sm = app.sm
    driver.tap(sm.get_screen("welcome").ids["lang_" + lang])
    grid = sm.get_screen("services").ids.grid
    buttons = list(reversed(grid.children))
    if service_index >= len(buttons):
        raise KioskError(f"the services screen shows {len(buttons)} service(s), so service "
                         f"#{service_index + 1} cannot be chosen; check that the menu "
                         f"({app.kiosk_config.menu_path}) has enabled services")
    driver.tap(buttons[service_index])
    if rules:
        take_number(app, printed=False)


def take_number(app, first_rule=0, printed=True, timeout=15):
    """On the rules screen: tap the health rules from ``first_rule`` on, then "Ambil nomor
    antrian"; wait for the ticket screen (and, ``printed``, for the slip's outcome).
    Returns the ticket screen. TimeoutError after ``timeout`` seconds (a hang guard)."""
    sm = app.sm
    screen = sm.get_screen("rules")
    for card in screen.cards()[first_rule:]:
        driver.tap(card)
    driver.tap(screen.ids.take)
    driver.pump_until(lambda: sm.current == "ticket", timeout=timeout)
    ticket = sm.get_screen("ticket")
    if printed:
        driver.pump_until(lambda: ticket.print_state != "pending", timeout=timeout)
    return ticket


def selftest(config) -> int:
    """One journey through the real screens offscreen; the slip is marked TEST.

    The store is a throwaway temp folder; the slip goes to the configured
    printer (for ``type = file`` the spool folder keeps its .bin and .png).
    Returns 0 on success, 1 with a message on failure.
    """
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-selftest-"))
    runtime = app = None
    try:
        runtime, app = _open_app(_throwaway(config, tmp))
        runtime.slips.test_mode = True
        journey(app)
        ticket = app.sm.get_screen("ticket")
        driver.pump_until(lambda: ticket.print_state != "pending",
                          timeout=config.printer.job_deadline_s + 5)
        number, state = ticket.number, ticket.print_state
        stored = runtime.store.get_ticket(ticket.result.ticket.id)
    except Exception as exc:  # report, never a traceback on a staff member's terminal
        log.exception("selftest failed")
        print(f"selftest FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if app is not None:
            driver.stop_app(app)
        if runtime is not None:
            runtime.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if state != "printed" or stored is None:
        print(f"selftest FAILED: ticket {number} committed={stored is not None}, "
              f"print {state}", file=sys.stderr)
        return 1
    where = f" in {config.printer.path}" if config.printer.type == "file" else ""
    print(f"selftest OK: ticket {number} committed and its TEST slip printed{where}.")
    return 0


def screenshots(config, outdir: Path) -> int:
    """Write ``<outdir>/<screen>_<lang>.png`` for each resident screen and a slip preview."""
    driver.headless_env(config.kiosk.width, config.kiosk.height)
    outdir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    spool = tmp / "spool"
    cfg = _throwaway(config, tmp)
    cfg = dataclasses.replace(cfg, printer=dataclasses.replace(cfg.printer, type="file",
                                                               path=spool))
    runtime, app = _open_app(cfg)

    def shot(name):
        driver.settle(app.sm.current_screen)  # the slide-in has finished
        driver.pump(3)
        print(driver.screenshot(outdir / f"{name}.png"))

    try:
        shot("welcome")
        for lang in ("id", "en"):
            journey(app, lang, service_index=0, rules=False)
            driver.pump(2)
            app.flow.go("services")
            shot(f"services_{lang}")
            app.flow.choose(_showcase_service(runtime.menu))
            screen = app.sm.get_screen("rules")
            driver.tap(screen.cards()[0])
            shot(f"rules_{lang}")
            take_number(app, first_rule=1)
            shot(f"ticket_{lang}")
            for png in sorted(spool.glob("*.png")):
                shutil.copy(png, outdir / f"slip_{lang}.png")
            app.flow.reset()
        _after_closing_shot(app, runtime, shot)
        _hours_and_quota_shots(app, runtime, shot)
        extra = getattr(app.staff, "screenshots", None)
        if extra:
            extra(shot)
    finally:
        driver.stop_app(app)
        runtime.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _after_closing_shot(app, runtime, shot) -> None:
    """The rules screen telling the resident their turn is expected after closing time: the
    throwaway store is given a sync reply's figures (120 waiting, one counter, 10 min each)."""
    from kiosk.sync_client import UploadReply
    from kiosk.waits import parse_handling, parse_queues
    code = _showcase_service(runtime.menu)
    queue = runtime.menu.service(code).queue
    now = runtime.waits.clock.local().isoformat()  # the office's day, as the server says it
    runtime.waits.record(UploadReply((), now, {}, queues=parse_queues(
        {queue: {"waiting": 120, "counters": 1}}), handling=parse_handling(
        {code: {"median_s": 600, "count": 10}})))
    app.flow.start("id")
    app.flow.choose(code)
    shot("rules_after_closing_id")
    app.flow.reset()
    runtime.waits.record(UploadReply((), now, {}))  # no figures again


def _hours_and_quota_shots(app, runtime, shot) -> None:
    """The resident screens when services are closed or their quota is full, and the
    welcome screen when the whole office is closed."""
    import json
    data = json.loads(runtime.menu.to_json())
    today = runtime.clock.local()
    for svc in data["services"]:
        if svc["code"] == "kk-baru":
            svc["daily_quota"] = 0  # "Kuota hari ini habis"
        elif svc["code"] == "akta-lahir":
            svc["daily_quota"] = 20  # "Sisa kuota hari ini: 20"
        elif svc["code"] == "ikd":  # only on Tuesdays: closed on the other days
            svc["hours"] = {"tue": [["08:00", "12:00"]]}
    data["version"] = "screenshots"
    original = runtime.menu.to_json()
    runtime.apply_menu(json.dumps(data), source="screenshots", role="admin")
    try:
        app.flow.start("id")
        shot("services_closed_and_quota_id")
        app.flow.reset()
        saturday = today.replace(hour=10) + __import__("datetime").timedelta(
            days=(5 - today.weekday()) % 7)
        app._office_hours(saturday)
        shot("welcome_office_closed")
        app._office_hours(runtime.clock.local())
    finally:
        runtime.apply_menu(original, source="screenshots", role="admin")
