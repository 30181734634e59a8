"""Start the kiosk, or drive it offscreen for ``kiosk selftest`` and ``kiosk screenshots``."""
from __future__ import annotations

import dataclasses
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from screens import driver

log = logging.getLogger(__name__)


def run_kiosk(config) -> int:
    """Run the kiosk full screen (per kiosk.ini) until staff exit it."""
    import os
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kivy.config import Config
    k = config.kiosk
    Config.set("graphics", "fullscreen", "auto" if k.fullscreen else "0")
    Config.set("graphics", "width", str(k.width))
    Config.set("graphics", "height", str(k.height))
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    from kivy.base import ExceptionHandler, ExceptionManager
    from kiosk.runtime import KioskRuntime
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
    try:
        app.run()
    finally:
        runtime.stop()
    return 0


def _throwaway(config, data_dir: Path):
    """``config`` with its store in ``data_dir`` (the printer settings stay)."""
    return dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, data_dir=data_dir))


def _office_hours_clock(config):
    """A clock at the next office opening when the office is closed now (nights, Sundays),
    so a selftest or screenshot run shows open services at any hour."""
    from datetime import timedelta
    from kiosk import schedule
    from kiosk.menu import load_menu
    from kiosk.runtime import utcnow
    from zoneinfo import ZoneInfo
    menu = load_menu(config.menu_path)
    now = utcnow().astimezone(ZoneInfo(config.office.timezone))
    if schedule.office_open(menu, now):
        return utcnow
    opening = schedule.next_opening(menu.office_hours, now)
    offset = (opening + timedelta(minutes=5)) - now if opening else timedelta(0)
    return lambda: utcnow() + offset


def _open_app(config):
    driver.headless_env(config.kiosk.width, config.kiosk.height)
    from kiosk.runtime import KioskRuntime
    from screens.app import LobbyApp
    runtime = KioskRuntime(config, clock=_office_hours_clock(config)).start()
    app = driver.start_app(LobbyApp(runtime))
    return runtime, app


def journey(app, lang="id", service_index=0, rules=True):
    """Tap through welcome -> services -> rules (-> take number) like a resident."""
    sm = app.sm
    driver.tap(sm.get_screen("welcome").ids["lang_" + lang])
    grid = sm.get_screen("services").ids.grid
    buttons = list(reversed(grid.children))
    driver.tap(buttons[service_index])
    if rules:
        screen = sm.get_screen("rules")
        for card in screen.cards():
            driver.tap(card)
        driver.tap(screen.ids.take)
        driver.pump_until(lambda: sm.current == "ticket", timeout=10)


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
    from kivy.core.window import Window
    outdir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-shots-"))
    spool = tmp / "spool"
    cfg = _throwaway(config, tmp)
    cfg = dataclasses.replace(cfg, printer=dataclasses.replace(cfg.printer, type="file",
                                                               path=spool))
    runtime, app = _open_app(cfg)

    def shot(name):
        driver.pump(3)
        written = Window.screenshot(str(outdir / f"{name}.png"))
        Path(written).replace(outdir / f"{name}.png")
        print(outdir / f"{name}.png")

    try:
        shot("welcome")
        for lang in ("id", "en"):
            journey(app, lang, service_index=0, rules=False)
            driver.pump(2)
            app.flow.go("services")
            shot(f"services_{lang}")
            app.flow.choose("ktp-baru")
            screen = app.sm.get_screen("rules")
            driver.tap(screen.cards()[0])
            shot(f"rules_{lang}")
            for card in screen.cards()[1:]:
                driver.tap(card)
            driver.tap(screen.ids.take)
            driver.pump_until(lambda: app.sm.current == "ticket", timeout=10)
            ticket = app.sm.get_screen("ticket")
            driver.pump_until(lambda: ticket.print_state != "pending", timeout=15)
            shot(f"ticket_{lang}")
            for png in sorted(spool.glob("*.png")):
                shutil.copy(png, outdir / f"slip_{lang}.png")
            app.flow.reset()
        extra = getattr(app.staff, "screenshots", None)
        if extra:
            extra(shot)
    finally:
        driver.stop_app(app)
        runtime.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0
