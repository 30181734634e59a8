"""Installing, refusing and restoring menus; every change audited with before/after."""
import json

import pytest

from kiosk import ASSETS_DIR
from kiosk.errors import MenuError
from kiosk.menus import MenuLibrary, diff_menus

DEFAULT = ASSETS_DIR / "menu.json"


def edited(**service_changes):
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    data["version"] = "2026-12-01.1"
    for svc in data["services"]:
        svc.update(service_changes.get(svc["code"], {}))
    return json.dumps(data).encode("utf-8")


@pytest.fixture
def library(tmp_path, store):
    return MenuLibrary(tmp_path / "data", DEFAULT, audit=store.audit)


def test_starts_on_the_default_menu(library):
    assert library.current.version == "2026-11-29.1" and library.history() == []


def test_install_keeps_the_previous_version_and_audits_the_change(library, store):
    new = library.install(edited(**{"kk-baru": {"daily_quota": 20}}), role="admin",
                          source="test")
    assert new.service("kk-baru").daily_quota == 20 and library.current is new
    assert [v for v, _ in library.history()] == ["2026-11-29.1"]
    entry = store.audit_entries()[-1]
    assert entry["role"] == "admin" and entry["action"] == "menu-install"
    assert {"what": "service kk-baru", "field": "daily_quota", "before": None, "after": 20} \
        in entry["changes"]


def test_a_bad_menu_changes_nothing(library, store):
    bad = json.loads(edited())
    bad["services"][1]["code"] = bad["services"][0]["code"]
    with pytest.raises(MenuError, match="appears twice"):
        library.install(json.dumps(bad), role="admin", source="usb")
    with pytest.raises(MenuError):
        library.install(b"\xff\xfe junk", role="admin", source="usb")
    assert library.current.version == "2026-11-29.1" and library.history() == []
    assert not any(e["action"] == "menu-install" for e in store.audit_entries())


def test_restore_brings_back_the_previous_version(library):
    library.install(edited(**{"ikd": {"enabled": False}}), role="admin", source="test")
    (version, path), = library.history()
    restored = library.restore(path, role="admin")
    assert restored.version == version and restored.service("ikd").enabled


def test_installed_menu_survives_restart(tmp_path, library):
    library.install(edited(), role="admin", source="test")
    again = MenuLibrary(tmp_path / "data", DEFAULT)
    assert again.current.version == "2026-12-01.1"


def test_damaged_installed_menu_falls_back_to_default_and_says_so(tmp_path, library):
    library.install(edited(), role="admin", source="test")
    library.current_path.write_bytes(b'{"truncated')
    again = MenuLibrary(tmp_path / "data", DEFAULT)
    assert again.current.version == "2026-11-29.1" and "rusak" in again.problem
    kept = list(library.dir.glob("current.json.corrupt-*"))  # moved aside, kept for a look
    assert len(kept) == 1 and kept[0].read_bytes() == b'{"truncated'
    assert not library.current_path.exists() and kept[0].name in again.problem
    assert MenuLibrary(tmp_path / "data", DEFAULT).problem is None  # said once, not forever


def test_diff_names_added_and_removed_services(library):
    from kiosk.menu import parse_menu
    data = json.loads(edited())
    data["services"] = data["services"][1:]
    changes = diff_menus(library.current, parse_menu(json.dumps(data)))
    assert {"what": "service ktp-baru", "field": "(removed)"}.items() <= changes[0].items() \
        or any(c["what"] == "service ktp-baru" and c["field"] == "(removed)" for c in changes)
