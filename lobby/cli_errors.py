"""The ``kiosk`` command's one error boundary: a plain line on the terminal, the
traceback in the log file only.

Exit status: 2 for bad input a person fixes by editing what they gave (kiosk.ini, a menu
file, a PIN typed twice differently; argparse uses 2 for bad arguments too), 1 for an
operation that failed (data folder, printer, network, an unexpected error), 130 for
Ctrl+C. Log file: ``$KIOSK_LOG_FILE``, else ``$XDG_STATE_HOME/dukcapil-kiosk/kiosk.log``
(default ``~/.local/state/...``); warnings and errors of every command go there with their
tracebacks, while the terminal (and the journal) gets the one-line form.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from kiosk.errors import ConfigError, KioskError, MenuError
from kiosk.pins import PinError

BAD_INPUT = 2
FAILED = 1
INTERRUPTED = 130
#: errors a person fixes by changing their input; every other KioskError is a failed operation
INPUT_ERRORS = (ConfigError, MenuError, PinError)

#: the boundary's own records: to the log file only (the terminal gets :func:`say`)
log = logging.getLogger("kiosk.cli")
log.propagate = False


def log_file() -> Path:
    """Where the tracebacks go (see the module docstring)."""
    if os.environ.get("KIOSK_LOG_FILE"):
        return Path(os.environ["KIOSK_LOG_FILE"])
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "dukcapil-kiosk" / "kiosk.log"


class OneLine(logging.Formatter):
    """A log line without its traceback (that is in the log file)."""

    def format(self, record):
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def setup_logging(verbose: bool) -> Path | None:
    """Terminal: one line per record (INFO with ``verbose``, else WARNING); the log file:
    WARNING and up with tracebacks (1 MB, 3 kept). Returns the log file, None when it
    cannot be opened (then said once on the terminal). Idempotent."""
    level = logging.INFO if verbose else logging.WARNING
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    root = logging.getLogger()
    root.setLevel(min(root.level or logging.WARNING, level))
    for logger in (root, log):
        for handler in list(logger.handlers):
            if getattr(handler, "kiosk_cli", False):
                logger.removeHandler(handler)
                handler.close()
    terminal = logging.StreamHandler()
    terminal.setFormatter(OneLine(fmt))
    terminal.setLevel(level)  # Kivy's logger runs at DEBUG and propagates here
    terminal.kiosk_cli = True
    root.addHandler(terminal)
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000,
                                                       backupCount=3, encoding="utf-8")
    except OSError as exc:
        root.warning("no log file %s (%s); set KIOSK_LOG_FILE to a writable file", path,
                     exc.strerror or exc)
        return None
    to_file.setFormatter(logging.Formatter(fmt))
    to_file.setLevel(logging.WARNING)
    to_file.kiosk_cli = True
    root.addHandler(to_file)
    log.addHandler(to_file)
    return path


def run(func, args, logged: Path | None) -> int:
    """``func(args)`` inside the boundary: its status, or the status of what it raised."""
    where = f"details in {logged}" if logged else "details in the log"
    try:
        return func(args)
    except INPUT_ERRORS as exc:
        log.warning("bad input: %s", exc, exc_info=True)
        say(f"kiosk: {exc}")
        return BAD_INPUT
    except KioskError as exc:
        log.error("failed: %s", exc, exc_info=True)
        say(f"kiosk: {exc}")
        return FAILED
    except KeyboardInterrupt:
        return INTERRUPTED
    except Exception as exc:  # a bug: the person gets what to do, the log the traceback
        log.error("unexpected error", exc_info=True)
        say(f"kiosk: unexpected error ({type(exc).__name__}: {exc}); nothing more was done. "
            f"Run `kiosk check`, and report it with the {where}.")
        return FAILED


def say(line: str) -> None:
    print(line, file=sys.stderr)
