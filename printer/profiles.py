"""What a python-escpos printer profile can do, asked once in one place.

The capabilities database ships with python-escpos (``escpos/capabilities.json``);
a profile name comes from kiosk.ini ``[printer] profile``.
"""
from __future__ import annotations

from escpos.capabilities import CAPABILITIES, get_profile

from kiosk.config import suggest
from kiosk.errors import ConfigError

from .blocks import paper


def known_profiles() -> list[str]:
    """Sorted names of the profiles python-escpos knows (for ``kiosk check``)."""
    return sorted(CAPABILITIES["profiles"])


def check_profile(config) -> None:
    """Refuse a kiosk.ini whose ``[printer] profile`` python-escpos does not know.

    ``config``: :class:`kiosk.config.Config`. Raises :class:`kiosk.errors.ConfigError`
    naming the file, section and key, the nearest known name and common ones.
    """
    profiles = known_profiles()
    name = config.printer.profile
    if name not in profiles:
        raise ConfigError(f"{config.path or '(defaults)'}: [printer] profile = {name!r} is not "
                          f"a python-escpos profile.{suggest(name, profiles)} Common: TM-T20II, "
                          f"TM-T88V, default.", path=config.path, section="printer",
                          key="profile")


def load_profile(name: str):
    """The python-escpos profile object called ``name``.

    Raises :class:`kiosk.errors.ConfigError` (section printer, key profile)
    naming the known profiles when ``name`` is unknown.
    """
    try:
        return get_profile(name)
    except KeyError:
        raise ConfigError(f"[printer] profile = {name!r} is not a python-escpos printer profile. "
                          f"Known profiles: {', '.join(known_profiles())}.",
                          section="printer", key="profile") from None


def profile_supports_qr(profile: str) -> bool:
    """True if the capabilities of ``profile`` list native QR codes (``GS ( k``).

    Raises ConfigError for an unknown profile name.
    """
    return bool(load_profile(profile).supports("qrCode"))


def profile_columns(profile: str, paper_width_mm: int) -> int:
    """Font-A characters per line to print for ``profile`` on this paper.

    The paper's own count (32 on 58 mm, 48 on 80 mm) unless the profile
    declares its media width and a smaller column count (TM-T88V: 42 on
    80 mm); implausible declarations under 24 columns are ignored. Raises
    ConfigError for an unknown profile, ValueError for a bad paper width.
    """
    chars = paper(paper_width_mm)[1]
    data = load_profile(profile).profile_data
    declared = data.get("fonts", {}).get("0", {}).get("columns")
    known_media = data.get("media", {}).get("width", {}).get("mm") not in (None, "Unknown")
    if known_media and isinstance(declared, int) and 24 <= declared < chars:
        return declared
    return chars
