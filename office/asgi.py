"""The office server as an ASGI app factory for several worker processes.

``kiosk-office serve --workers N`` puts its settings into the environment and runs
``uvicorn --factory office.asgi:app_from_env --workers N``; every worker builds its own app
(and database pool) from ``KIOSK_OFFICE_DB``, ``KIOSK_OFFICE_TZ``,
``KIOSK_OFFICE_RETENTION_DAYS``, ``KIOSK_OFFICE_NAME`` and ``KIOSK_OFFICE_VOICE_DIR``. Any other ASGI server can use the same factory.
"""
from __future__ import annotations

import os

from .app import OfficeSettings, create_app


def settings_to_env(settings: OfficeSettings) -> dict[str, str]:
    """The environment variables :func:`settings_from_env` reads back into ``settings``."""
    return {"KIOSK_OFFICE_DB": settings.db_url, "KIOSK_OFFICE_TZ": settings.timezone,
            "KIOSK_OFFICE_RETENTION_DAYS": str(settings.retention_days),
            "KIOSK_OFFICE_NAME": settings.office_name,
            "KIOSK_OFFICE_VOICE_DIR": settings.voice_dir}


def settings_from_env(environ=None) -> OfficeSettings:
    """:class:`OfficeSettings` from the environment (defaults as ``kiosk-office serve``).

    Raises ValueError naming the variable when ``KIOSK_OFFICE_RETENTION_DAYS`` is not a
    whole number."""
    env = os.environ if environ is None else environ
    days = env.get("KIOSK_OFFICE_RETENTION_DAYS", "90")
    if not days.strip().isdigit():
        raise ValueError(f"KIOSK_OFFICE_RETENTION_DAYS={days!r}: give a whole number of days "
                         f"(0 keeps all)")
    defaults = OfficeSettings()
    return OfficeSettings(db_url=env.get("KIOSK_OFFICE_DB", defaults.db_url),
                          timezone=env.get("KIOSK_OFFICE_TZ", defaults.timezone),
                          retention_days=int(days),
                          office_name=env.get("KIOSK_OFFICE_NAME", defaults.office_name),
                          voice_dir=env.get("KIOSK_OFFICE_VOICE_DIR", defaults.voice_dir))


def app_from_env():
    """The app of one worker process (uvicorn ``--factory``)."""
    return create_app(settings_from_env())
