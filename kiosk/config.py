"""kiosk.ini -> frozen dataclasses.

Every section and key is declared once, in :data:`SCHEMA`, with its type,
default and unit (units live in key names: ``_s`` seconds, ``_mm``
millimetres). Unknown sections or keys, and values of the wrong type, raise
:class:`~kiosk.errors.ConfigError` naming the file, the section, the key and
the fix. Relative paths are resolved against the folder of the ini file.
"""
from __future__ import annotations

import configparser
import difflib
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError


def _bool(text):
    low = text.strip().lower()
    if low in ("1", "yes", "true", "on", "ya"):
        return True
    if low in ("0", "no", "false", "off", "tidak"):
        return False
    raise ValueError("expected yes or no")


def _int_hex(text):
    return int(text.strip(), 0)


def _list(text):
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _positive(kind):
    def conv(text):
        value = kind(text)
        if value <= 0:
            raise ValueError("must be greater than 0")
        return value
    return conv


def _choice(*options):
    def conv(text):
        value = text.strip().lower()
        if value not in options:
            raise ValueError("must be one of " + ", ".join(options))
        return value
    return conv


_str = str
_path = str  # resolved after parsing

# section -> key -> (converter, default). Defaults are strings, parsed like file values.
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
        "idle_timeout_s": (_positive(float), "60"),
        "ticket_screen_s": (_positive(float), "12"),
        "fullscreen": (_bool, "no"),
        "width": (_positive(int), "1280"),
        "height": (_positive(int), "800"),
        "screen_dpi": (_positive(float), "96"),
    },
    "printer": {
        "type": (_choice("file", "dummy", "network", "usb", "serial"), "file"),
        "path": (_path, "data/spool"),
        "host": (_str, ""),
        "port": (_positive(int), "9100"),
        "vendor_id": (_int_hex, "0"),
        "product_id": (_int_hex, "0"),
        "interface": (int, "0"),
        "in_ep": (_int_hex, "0x82"),
        "out_ep": (_int_hex, "0x01"),
        "device": (_str, "/dev/ttyUSB0"),
        "baudrate": (_positive(int), "9600"),
        "profile": (_str, "TM-T20II"),
        "paper_width_mm": (_choice("58", "80"), "80"),
        "timeout_s": (_positive(float), "3"),
        "job_deadline_s": (_positive(float), "10"),
        "status_polling": (_bool, "yes"),
        "roll_length_m": (_positive(float), "50"),
    },
    "server": {
        "url": (_str, ""),
        "token": (_str, ""),
        "ca_bundle": (_path, ""),
        "verify_tls": (_bool, "yes"),
        "connect_timeout_s": (_positive(float), "3"),
        "read_timeout_s": (_positive(float), "10"),
        "attempt_deadline_s": (_positive(float), "15"),
        "interval_s": (_positive(float), "30"),
        "max_backoff_s": (_positive(float), "300"),
        "batch_size": (_positive(int), "200"),
        "retention_days": (_positive(int), "30"),
    },
    "staff": {
        "idle_timeout_s": (_positive(float), "120"),
        "max_pin_attempts": (_positive(int), "5"),
        "lockout_s": (_positive(float), "300"),
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


def _suggest(word, options):
    near = difflib.get_close_matches(word, list(options), n=1)
    return f" Did you mean '{near[0]}'?" if near else ""


def load_config(path=None) -> Config:
    """Read kiosk.ini at ``path`` (None: built-in defaults only).

    Returns a :class:`Config`. Raises :class:`ConfigError` for a missing or
    unreadable file, a syntax error, an unknown section or key, or a bad value;
    the message names the file, section and key and says how to fix it.
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
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{shown}: file not found. Copy kiosk.ini from the project folder "
                              f"or pass --config PATH.", path=path) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{shown}: cannot read ({exc}). Check the file's permissions and "
                              f"that it is saved as UTF-8.", path=path) from None
        try:
            parser.read_string(text, source=shown)
        except configparser.Error as exc:
            first = str(exc).splitlines()[0]
            raise ConfigError(f"{shown}: not a valid ini file: {first}. Each setting must be "
                              f"'key = value' under a [section] header.", path=path) from None

    for section in parser.sections():
        if section not in SCHEMA:
            raise ConfigError(f"{shown}: unknown section [{section}].{_suggest(section, SCHEMA)} "
                              f"Known sections: {', '.join(SCHEMA)}.", path=path, section=section)
        for key in parser[section]:
            if key not in SCHEMA[section]:
                raise ConfigError(f"{shown}: [{section}] unknown key '{key}'."
                                  f"{_suggest(key, SCHEMA[section])} Remove it or fix its name.",
                                  path=path, section=section, key=key)

    parts = {}
    for section, keys in SCHEMA.items():
        values = {}
        for key, (conv, default) in keys.items():
            raw = parser.get(section, key, fallback=default)
            try:
                value = conv(raw)
            except ValueError as exc:
                raise ConfigError(f"{shown}: [{section}] {key} = {raw!r} is not valid: {exc}. "
                                  f"The default is {default!r}.",
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
        zoneinfo.ZoneInfo(office.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
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
    from printer.profiles import known_profiles  # python-escpos's list; no Kivy
    profiles = known_profiles()
    if printer.profile not in profiles:
        raise ConfigError(f"{shown}: [printer] profile = {printer.profile!r} is not a "
                          f"python-escpos profile.{_suggest(printer.profile, profiles)} Common: "
                          f"TM-T20II, TM-T88V, default.",
                          path=path, section="printer", key="profile")
    server = parts["server"]
    if server.url and not re.match(r"https?://", server.url):
        raise ConfigError(f"{shown}: [server] url = {server.url!r} must start with https:// "
                          f"(or http:// on a trusted office network), or be empty for offline.",
                          path=path, section="server", key="url")
