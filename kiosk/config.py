"""kiosk.ini -> frozen dataclasses.

Every section and key is declared once, in :data:`SCHEMA`, with its type,
range, default and unit (units live in key names: ``_s`` seconds, ``_mm``
millimetres). Unknown or repeated sections or keys, and values of the wrong
type or out of range (nan and inf included), raise
:class:`~kiosk.errors.ConfigError` naming the file, the section, the key and
the fix. Relative paths are resolved against the folder of the ini file.
"""
from __future__ import annotations

import configparser
import difflib
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .clock import zone
from .errors import ConfigError


# Converters turn the text of a value into its type or raise ValueError with a plain
# sentence that quotes the value (never Python's own wording).

def _bool(text):
    low = text.strip().lower()
    if low in ("1", "yes", "true", "on", "ya"):
        return True
    if low in ("0", "no", "false", "off", "tidak"):
        return False
    raise ValueError(f"{text.strip()!r} is not yes or no")


def _list(text):
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _number(unit, low, high, whole=False, hex_hint=False):
    """A converter for a number ``low < value <= high`` (``low <= value`` for whole numbers)
    in ``unit`` (e.g. "seconds"); finite only, so nan and inf are refused."""
    def conv(text):
        text = text.strip()
        try:
            value = int(text, 0) if hex_hint else int(text) if whole else float(text)
        except ValueError:
            what = ("a number; write e.g. 0x04b8" if hex_hint else "a whole number" if whole
                    else f"a number of {unit}")
            raise ValueError(f"{text!r} is not {what}") from None
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a number of {unit}")
        shown = (lambda n: f"{n:#x}") if hex_hint else (lambda n: f"{n:g}")
        if value < low or (value == low and not whole):
            bound = f"{shown(low)} or more" if whole else f"more than {shown(low)}"
            raise ValueError(f"{text!r} is too small; use {bound} {unit}".rstrip())
        if value > high:
            raise ValueError(f"{text!r} is too large; use at most {shown(high)} {unit}".rstrip())
        return value
    return conv


def _seconds(high):
    return _number("seconds", 0, high)


def _whole(low, high, unit=""):
    return _number(unit, low, high, whole=True)


def _usb_number(high):
    return _number("", 0, high, whole=True, hex_hint=True)


def _choice(*options):
    def conv(text):
        value = text.strip().lower()
        if value not in options:
            raise ValueError(f"{text.strip()!r} is not one of " + ", ".join(options))
        return value
    return conv


_str = str
_path = str  # resolved after parsing

# section -> key -> (converter, default). Defaults are strings, parsed like file values.
# Every number's range is here: seconds are > 0 and bounded per key, counts are whole.
SCHEMA = {
    "office": {
        "name": (_str, "Dinas Kependudukan dan Pencatatan Sipil"),
        "regency": (_str, "Kabupaten Barito Timur"),
        "address": (_str, "Tamiang Layang"),
        "timezone": (_str, "Asia/Pontianak"),
        "timezone_label": (_str, "WIB"),
    },
    "kiosk": {
        "id": (_str, "K1"),
        "number_tag": (_str, ""),
        "languages": (_list, "id,en"),
        "data_dir": (_path, "data"),
        "menu": (_path, ""),
        "idle_timeout_s": (_seconds(3600), "60"),
        "ticket_screen_s": (_seconds(600), "12"),
        "fullscreen": (_bool, "no"),
        "width": (_whole(1, 10000, "pixels"), "1280"),
        "height": (_whole(1, 10000, "pixels"), "800"),
        "screen_dpi": (_number("dots per inch", 0, 1000), "96"),
    },
    "printer": {
        "type": (_choice("file", "dummy", "network", "usb", "serial"), "file"),
        "path": (_path, "data/spool"),
        "host": (_str, ""),
        "port": (_whole(1, 65535), "9100"),
        "vendor_id": (_usb_number(0xFFFF), "0"),
        "product_id": (_usb_number(0xFFFF), "0"),
        "interface": (_whole(0, 255), "0"),
        "in_ep": (_usb_number(0xFF), "0x82"),
        "out_ep": (_usb_number(0xFF), "0x01"),
        "device": (_str, "/dev/ttyUSB0"),
        "baudrate": (_whole(1, 4_000_000, "baud"), "9600"),
        "profile": (_str, "TM-T20II"),
        "paper_width_mm": (_choice("58", "80"), "80"),
        "timeout_s": (_seconds(600), "3"),
        "job_deadline_s": (_seconds(600), "10"),
        "status_polling": (_bool, "yes"),
        "roll_length_m": (_number("metres", 0, 500), "50"),
    },
    "server": {
        "url": (_str, ""),
        "token": (_str, ""),
        "ca_bundle": (_path, ""),
        "verify_tls": (_bool, "yes"),
        "connect_timeout_s": (_seconds(600), "3"),
        "read_timeout_s": (_seconds(600), "10"),
        "attempt_deadline_s": (_seconds(600), "15"),
        "interval_s": (_seconds(3600), "30"),
        "max_backoff_s": (_seconds(3600), "300"),
        "batch_size": (_whole(1, 10000, "tickets"), "200"),
        "retention_days": (_whole(1, 3650, "days"), "30"),
        "figures_fresh_s": (_seconds(86400), "600"),
    },
    "staff": {
        "idle_timeout_s": (_seconds(3600), "120"),
        "max_pin_attempts": (_whole(1, 100, "attempts"), "5"),
        "lockout_s": (_seconds(86400), "300"),
    },
}

_PATH_KEYS = {("kiosk", "data_dir"), ("kiosk", "menu"), ("printer", "path"), ("server", "ca_bundle")}


@dataclass(frozen=True)
class OfficeConfig:
    name: str
    regency: str
    address: str
    timezone: str
    timezone_label: str


@dataclass(frozen=True)
class KioskConfig:
    id: str
    number_tag: str
    languages: tuple
    data_dir: Path
    menu: Path | None
    idle_timeout_s: float
    ticket_screen_s: float
    fullscreen: bool
    width: int
    height: int
    screen_dpi: float


@dataclass(frozen=True)
class PrinterConfig:
    type: str
    path: Path
    host: str
    port: int
    vendor_id: int
    product_id: int
    interface: int
    in_ep: int
    out_ep: int
    device: str
    baudrate: int
    profile: str
    paper_width_mm: str
    timeout_s: float
    job_deadline_s: float
    status_polling: bool
    roll_length_m: float

    @property
    def width_mm(self) -> int:
        return int(self.paper_width_mm)


@dataclass(frozen=True)
class ServerConfig:
    url: str
    token: str
    ca_bundle: Path | None
    verify_tls: bool
    connect_timeout_s: float
    read_timeout_s: float
    attempt_deadline_s: float
    interval_s: float
    max_backoff_s: float
    batch_size: int
    retention_days: int
    figures_fresh_s: float = 600.0  # the server's waiting figures count this long (kiosk.waits)

    @property
    def enabled(self) -> bool:
        return bool(self.url)


@dataclass(frozen=True)
class StaffConfig:
    idle_timeout_s: float
    max_pin_attempts: int
    lockout_s: float


@dataclass(frozen=True)
class Config:
    """The whole kiosk.ini; ``path`` is the file it came from (None for defaults)."""

    path: Path | None
    office: OfficeConfig
    kiosk: KioskConfig
    printer: PrinterConfig
    server: ServerConfig
    staff: StaffConfig

    @property
    def menu_path(self) -> Path:
        from . import ASSETS_DIR
        return self.kiosk.menu or (ASSETS_DIR / "menu.json")


_CLASSES = {"office": OfficeConfig, "kiosk": KioskConfig, "printer": PrinterConfig,
            "server": ServerConfig, "staff": StaffConfig}


def suggest(word, options) -> str:
    """`` Did you mean 'x'?`` for the option nearest ``word``, or ""."""
    near = difflib.get_close_matches(word, list(options), n=1)
    return f" Did you mean '{near[0]}'?" if near else ""


def _read_text(path: Path, shown: str) -> str:
    """The text of kiosk.ini (UTF-8, a leading BOM allowed); ConfigError in plain words."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{shown}: file not found. Copy kiosk.ini from the project folder "
                          f"or pass --config PATH.", path=path) from None
    except IsADirectoryError:
        raise ConfigError(f"{shown}: is a folder, not a file. Pass the path of the kiosk.ini "
                          f"file itself (--config PATH).", path=path) from None
    except PermissionError:
        raise ConfigError(f"{shown}: no permission to read it. Check the file's permissions "
                          f"(the kiosk's user must be able to read it).", path=path) from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read it ({exc.strerror or exc}).",
                          path=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{shown}: line {line} is not UTF-8 text. Save the file as UTF-8 "
                          f"(or retype the accented letters on that line).",
                          path=path) from None


def _syntax(exc: configparser.Error) -> str:
    """A plain sentence for a configparser syntax error (with its line number)."""
    if isinstance(exc, configparser.DuplicateOptionError):
        return (f"key '{exc.option}' appears twice in [{exc.section}] (line {exc.lineno}); "
                f"keep one.")
    if isinstance(exc, configparser.DuplicateSectionError):
        return (f"section [{exc.section}] appears twice (line {exc.lineno}); keep one and put "
                f"all its keys under it.")
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return (f"not a valid ini file: line {exc.lineno} ({exc.line.strip()!r}) comes before "
                f"any [section] header. Each setting must be 'key = value' under a [section] "
                f"header.")
    if isinstance(exc, configparser.ParsingError):
        return (f"not a valid ini file: line {exc.errors[0][0]} is not 'key = value'. Each "
                f"setting must be 'key = value' under a [section] header.")
    return (f"not a valid ini file: {str(exc).splitlines()[0]}. Each setting must be "
            f"'key = value' under a [section] header.")


def load_config(path=None) -> Config:
    """Read kiosk.ini at ``path`` (None: built-in defaults only).

    Returns a :class:`Config`. Raises :class:`ConfigError` for a missing or
    unreadable file, a syntax error, an unknown section or key, or a bad value;
    the message names the file, section and key and says how to fix it.
    ``[printer] profile`` is the print side's to judge
    (:func:`printer.profiles.check_profile`, called where the kiosk is composed).
    """
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=None)
    parser.optionxform = str  # keys are case-sensitive, as documented
    base = Path.cwd()
    shown = "(defaults)"
    if path is not None:
        path = Path(path).resolve()
        shown = str(path)
        base = path.parent
        try:
            parser.read_string(_read_text(path, shown), source=shown)
        except configparser.Error as exc:
            raise ConfigError(f"{shown}: {_syntax(exc)}", path=path) from None

    for section in parser.sections():
        if section not in SCHEMA:
            raise ConfigError(f"{shown}: unknown section [{section}].{suggest(section, SCHEMA)} "
                              f"Known sections: {', '.join(SCHEMA)}.", path=path, section=section)
        for key in parser[section]:
            if key not in SCHEMA[section]:
                raise ConfigError(f"{shown}: [{section}] unknown key '{key}'."
                                  f"{suggest(key, SCHEMA[section])} Remove it or fix its name.",
                                  path=path, section=section, key=key)

    parts = {}
    for section, keys in SCHEMA.items():
        values = {}
        for key, (conv, default) in keys.items():
            raw = parser.get(section, key, fallback=default)
            try:
                value = conv(raw)
            except ValueError as exc:
                raise ConfigError(f"{shown}: [{section}] {key}: {exc}. The default is "
                                  f"{default!r}.",
                                  path=path, section=section, key=key) from None
            if (section, key) in _PATH_KEYS:
                value = (base / value) if value else None
            values[key] = value
        parts[section] = _CLASSES[section](**values)

    _check(parts, shown, path)
    return Config(path=path, **parts)


def _check(parts, shown, path):
    office, kiosk, printer = parts["office"], parts["kiosk"], parts["printer"]
    try:
        zone(office.timezone)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise ConfigError(f"{shown}: [office] timezone = {office.timezone!r} is not an IANA time "
                          f"zone. Use Asia/Pontianak (WIB) for Barito Timur.",
                          path=path, section="office", key="timezone") from None
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", kiosk.id):
        raise ConfigError(f"{shown}: [kiosk] id = {kiosk.id!r}: use 1-32 letters, digits, '-' or "
                          f"'_' (e.g. K1), unique per kiosk in the office.",
                          path=path, section="kiosk", key="id")
    if kiosk.number_tag and not re.fullmatch(r"[0-9A-Z]{1,2}", kiosk.number_tag):
        raise ConfigError(f"{shown}: [kiosk] number_tag = {kiosk.number_tag!r}: use one or two "
                          f"digits or capital letters (e.g. 2), or leave it empty for a single "
                          f"kiosk.", path=path, section="kiosk", key="number_tag")
    langs = kiosk.languages
    if not langs or langs[0] != "id" or any(lang not in ("id", "en") for lang in langs):
        raise ConfigError(f"{shown}: [kiosk] languages = {','.join(langs)!r}: Bahasa Indonesia "
                          f"comes first; supported: id,en.",
                          path=path, section="kiosk", key="languages")
    if printer.type == "network" and not printer.host:
        raise ConfigError(f"{shown}: [printer] type = network needs 'host' (the printer's IP "
                          f"address).", path=path, section="printer", key="host")
    if printer.type == "usb" and not (printer.vendor_id and printer.product_id):
        raise ConfigError(f"{shown}: [printer] type = usb needs 'vendor_id' and 'product_id' "
                          f"(see `lsusb`, e.g. 0x04b8 and 0x0e15).",
                          path=path, section="printer", key="vendor_id")
    server = parts["server"]
    if server.url and not server.token:
        raise ConfigError(f"{shown}: [server] url is set but token is empty: put the token "
                          f"printed by `kiosk-office add-kiosk {kiosk.id}` there, or empty the "
                          f"url to run offline.", path=path, section="server", key="token")
    if server.url and not re.match(r"https?://", server.url):
        raise ConfigError(f"{shown}: [server] url = {server.url!r} must start with https:// "
                          f"(or http:// on a trusted office network), or be empty for offline.",
                          path=path, section="server", key="url")
