"""Pure rules: numbering, office day, config parsing, and the core/UI boundary."""
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from kiosk import numbering
from kiosk.config import load_config
from kiosk.errors import ConfigError


def test_number_format():
    assert numbering.format_number("A", 1) == "A001"
    assert numbering.format_number("A", 1000) == "A1000"
    assert numbering.format_number("B", 7, "2") == "B2-007"
    assert numbering.parse_number("B2-007") == ("B", "2", 7)
    with pytest.raises(ValueError):
        numbering.format_number("A", 0)


def test_office_day_uses_wib_not_utc():
    late_utc = datetime(2026, 11, 29, 17, 30, tzinfo=timezone.utc)  # 00:30 WIB next day
    assert numbering.office_day(late_utc, "Asia/Pontianak") == "2026-11-30"
    with pytest.raises(ValueError):
        numbering.office_day(datetime(2026, 1, 1), "Asia/Pontianak")


def test_core_and_printer_never_import_kivy():
    code = ("import sys, kiosk.cli, kiosk.runtime, kiosk.store, kiosk.checkin, kiosk.slips, "
            "printer.slip, printer.worker, printer.devices; "
            "assert 'kivy' not in sys.modules, 'kivy imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_shipped_kiosk_ini_is_valid_and_documents_every_key():
    from kiosk import ASSETS_DIR
    from kiosk.config import SCHEMA
    path = ASSETS_DIR.parent / "kiosk.ini"
    cfg = load_config(path)
    assert cfg.office.timezone == "Asia/Pontianak" and cfg.kiosk.languages == ("id", "en")
    assert cfg.printer.type == "file" and not cfg.server.url
    text = path.read_text()
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text
        for key in keys:
            assert f"\n{key} =" in text, f"[{section}] {key} is not in kiosk.ini"


@pytest.mark.parametrize("sections, words", [
    ({"kiosk": {"idel_timeout_s": "5"}}, ["[kiosk]", "idel_timeout_s", "idle_timeout_s"]),
    ({"printr": {"type": "file"}}, ["[printr]", "printer"]),
    ({"kiosk": {"idle_timeout_s": "soon"}}, ["idle_timeout_s", "'soon'", "default"]),
    ({"printer": {"type": "laser"}}, ["type", "usb"]),
    ({"printer": {"type": "network"}}, ["host"]),
    ({"office": {"timezone": "WIB"}}, ["timezone", "Asia/Pontianak"]),
    ({"kiosk": {"languages": "en,id"}}, ["languages", "first"]),
    ({"printer": {"paper_width_mm": "60"}}, ["paper_width_mm", "58"]),
])
def test_bad_kiosk_ini_names_file_key_and_fix(ini, sections, words):
    path = ini(**sections)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_config_syntax_error_and_missing_file(tmp_path):
    bad = tmp_path / "k.ini"
    bad.write_text("this is not ini\n")
    with pytest.raises(ConfigError, match="not a valid ini"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.ini")


def test_unknown_printer_profile_is_named_with_a_suggestion(ini):
    with pytest.raises(ConfigError) as err:
        load_config(ini(printer={"profile": "TM-T20"}))
    assert "[printer] profile" in str(err.value) and "TM-T20II" in str(err.value)
