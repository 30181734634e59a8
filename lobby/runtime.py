"""The kiosk's running parts, wired once: store, menu, desk, printer, sync.

The Kivy app, the CLI (``kiosk selftest``, ``kiosk print-test``) and tests all
build a :class:`KioskRuntime` from a :class:`~kiosk.config.Config`; the app
adds only screens. No Kivy import here.
"""
from __future__ import annotations

import logging
import threading

from kiosk.checkin import CheckinDesk
from kiosk.clock import OfficeClock
from kiosk.menu import Menu
from kiosk.menus import MenuLibrary
from kiosk.pins import DAMAGED_WORDS, PIN_FILE, PinStore
from kiosk.store import Store
from kiosk.waits import WaitBoard
from printer.profiles import check_profile
from printer.slips import SlipService
from printer.worker import PrintWorker

log = logging.getLogger(__name__)


#: Staff are warned when the kiosk clock is off the office server's by more than this.
CLOCK_SKEW_WARN_S = 120
#: How often the running kiosk looks whether a new office day began (then it purges), s.
PURGE_CHECK_S = 600.0


class KioskRuntime:
    """Everything behind the screens.

    Args:
        config: :class:`kiosk.config.Config`.
        clock: the office clock: an :class:`kiosk.clock.OfficeClock` (tests: a
            ``FixedClock``), or a callable returning an aware datetime, read in the office
            zone (``[office] timezone``); None: the system clock. Wrapped once
            (``OfficeClock.wrap``), kept as ``runtime.clock`` (still callable: ``clock()``
            is now in UTC) and handed to the store, desk, audit log, menus, sync and printer.
        device_factory: passed to PrintWorker (tests inject printers).
        purge_check_s: seconds between looks for a new office day (retention purge).

    Raises ConfigError (a printer profile python-escpos does not know), StoreError (data
    directory) or MenuError (menu file) with messages naming the file and the fix.
    """

    def __init__(self, config, clock=None, device_factory=None,
                 purge_check_s: float = PURGE_CHECK_S):
        check_profile(config)
        self.config = config
        self.clock = clock = OfficeClock.wrap(clock, config.office.timezone)
        self.purge_check_s = purge_check_s
        self._purged_day: str | None = None
        self._stopping = threading.Event()
        self._purge_lock = threading.Lock()  # the daily thread and start() never overlap
        self._purger: threading.Thread | None = None
        k = config.kiosk
        self.store = Store(k.data_dir, kiosk_id=k.id, number_tag=k.number_tag, clock=clock)
        self.menus = MenuLibrary(k.data_dir, config.menu_path, audit=self.store.audit,
                                 clock=clock)
        if self.menus.problem:
            self.store.set_alert("menu", self.menus.problem)
            self.store.set_setting("menu_etag", None)  # download it again
        if PinStore.for_config(config, clock=clock).damaged():  # staff cannot log in to see
            self.store.set_alert("pins", f"{PIN_FILE}: {DAMAGED_WORDS}")  # it; stays till seen
        self.slips = SlipService(config, self.store)
        self.printer = PrintWorker(config.printer, on_result=self.slips.on_result,
                                   device_factory=device_factory,
                                   on_paper=self.slips.count_paper, clock=clock)
        self.slips.worker = self.printer
        self.sync = None
        self.waits = WaitBoard(self.store, config.server.figures_fresh_s, self.clock)
        self.desk = CheckinDesk(self.store, lambda: self.menu,
                                after_commit=[self.slips, self._poke_sync],
                                waits=self.waits, clock=clock)

    # -- menu ----------------------------------------------------------------
    @property
    def menu(self) -> Menu:
        """The menu in force; each new journey takes it (a journey keeps its own)."""
        return self.menus.current

    def apply_menu(self, raw: bytes, source="server", role="admin") -> Menu:
        """Validate and install a new menu (previous one kept in history, change audited).

        Raises MenuError and keeps the current menu when ``raw`` is invalid.
        """
        return self.menus.install(raw, role=role, source=source)

    def reload(self, config) -> Menu:
        """Staff "reset": take a re-read kiosk.ini and the menu without restarting.

        Printer settings and the menu apply at once; data_dir, kiosk id and the
        server need a restart (they own open files and threads). Returns the menu.
        Raises ConfigError, changing nothing, for a printer profile python-escpos does not know.
        """
        check_profile(config)
        self.config = config
        self.slips.config = config
        menu = self.menus.reload(config.menu_path)
        self.store.set_alert("menu", self.menus.problem)
        self.printer.reconfigure(config.printer)
        return menu

    # -- sync ----------------------------------------------------------------
    def now_serving(self) -> dict:
        """``{queue: sequence being served}`` from the office server's last reply, only if
        that reply came today (office day): yesterday's numbers say nothing about today's.
        Both days come from the one office clock: the reply's time (``last_success_at``,
        stamped by it) in the office zone against the store's office day."""
        if self.sync is None:
            return {}
        try:
            status = self.sync.status()
            if not status.last_success_at:
                return {}
            replied = self.clock.office_day(self.clock.parse(status.last_success_at))
            if replied != self.store.office_day():
                return {}
            return dict(status.now_serving or {})
        except (ValueError, TypeError, AttributeError):
            return {}

    def _poke_sync(self, *_args):
        if self.sync is not None:
            self.sync.poke()

    # -- life cycle ----------------------------------------------------------
    def start(self) -> "KioskRuntime":
        self.purge_if_due()
        self._purger = threading.Thread(target=self._purge_loop, name="retention", daemon=True)
        self._purger.start()
        self.printer.start()
        if self.config.server.enabled:
            self._start_sync()
        return self

    def purge_if_due(self) -> int | None:
        """PDP: once per office day, delete synced office days older than ``[server]
        retention_days`` (never an unsynced one); audited. Returns the days deleted, or None
        when this office day was done already. Errors are logged, never raised."""
        try:
            with self._purge_lock:
                day = self.store.office_day()
                if day == self._purged_day:
                    return None
                days = self.config.server.retention_days
                removed = self.store.purge(days, day=day)  # the day read above, not a later one
                self._purged_day = day
                if removed:
                    log.info("deleted %d office days past retention", removed)
                    self.store.audit("system", "retention-purge", days_deleted=removed,
                                     retention_days=days)
                return removed
        except Exception:
            log.exception("could not purge old office days")
            return None

    def _purge_loop(self):
        while not self._stopping.wait(self.purge_check_s):
            self.purge_if_due()

    def _start_sync(self):
        try:
            from kiosk.sync import SyncClient, SyncWorker
        except ImportError:  # sync not installed in this build
            log.warning("sync module unavailable; running offline")
            return
        client = SyncClient(self.config.server, self.config.kiosk.id, clock=self.clock)
        self.sync = SyncWorker(client, self.store, on_status=self._on_sync_status,
                               office_clock=self.clock,
                               on_menu=self._on_server_menu, on_reply=self.waits.record,
                               menu_version=lambda: self.menu.version,
                               menu_etag=self.store.setting("menu_etag"))
        self.sync.start()

    def _on_sync_status(self, status) -> None:
        """SyncWorker callback: warn staff of a number clash with another kiosk and of a
        kiosk clock that differs from the server's."""
        warning = getattr(status, "conflict_warning", None)  # same number from two kiosks
        if warning:
            self.store.set_alert("number_clash", warning)
        repeat = getattr(status, "repeat_warning", None)  # one number twice from this kiosk
        if repeat:
            self.store.set_alert("number_repeat", repeat)
        skew = status.server_clock_skew_s
        text = None
        if skew is not None and abs(skew) > CLOCK_SKEW_WARN_S:
            direction = "terlambat" if skew > 0 else "terlalu cepat"
            text = (f"Jam kiosk {direction} {abs(skew) / 60:.0f} menit dibanding server "
                    f"kantor; perbaiki jam kiosk.")
        self.store.set_alert("clock_skew", text)

    def _on_server_menu(self, raw: bytes, etag=None):
        """SyncWorker callback (worker thread): apply, then remember the ETag so a restart
        does not download the same menu again."""
        self.apply_menu(raw, source="office server", role="office-server")
        self.store.set_setting("menu_etag", etag)

    def stop(self) -> None:
        self._stopping.set()
        if self._purger is not None:
            self._purger.join(5)
        if self.sync is not None:
            self.sync.stop()
        self.printer.stop()
        self.store.close()
