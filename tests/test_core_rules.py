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
    code = ("import sys, lobby.cli, lobby.runtime, kiosk.store, kiosk.checkin, printer.slips, "
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
    from lobby.runtime import KioskRuntime
    from printer.profiles import check_profile
    config = load_config(ini(printer={"profile": "TM-T20"}))  # the core does not judge it
    with pytest.raises(ConfigError) as err:
        check_profile(config)  # the print side does
    assert "[printer] profile" in str(err.value) and "TM-T20II" in str(err.value)
    assert str(config.path) in str(err.value) and err.value.key == "profile"
    with pytest.raises(ConfigError, match="TM-T20II"):
        KioskRuntime(config)  # nor does a kiosk start on it


@pytest.mark.parametrize("section, key, value, words", [
    ("kiosk", "idle_timeout_s", "nan", "'nan' is not a number of seconds"),
    ("kiosk", "idle_timeout_s", "inf", "'inf' is not a number of seconds"),
    ("kiosk", "idle_timeout_s", "1e9", "at most 3600 seconds"),
    ("kiosk", "ticket_screen_s", "601", "at most 600 seconds"),
    ("printer", "timeout_s", "-inf", "'-inf' is not a number of seconds"),
    ("printer", "job_deadline_s", "1e9", "at most 600 seconds"),
    ("printer", "roll_length_m", "nan", "'nan' is not a number of metres"),
    ("printer", "roll_length_m", "1e9", "at most 500 metres"),
    ("server", "read_timeout_s", "Infinity", "is not a number of seconds"),
    ("server", "figures_fresh_s", "0", "more than 0 seconds"),
    ("server", "figures_fresh_s", "2 days", "'2 days' is not a number of seconds"),
    ("staff", "lockout_s", "0", "more than 0 seconds"),
    ("printer", "port", "70000", "at most 65535"),
    ("printer", "port", "0", "use 1 or more"),
    ("kiosk", "idle_timeout_s", "abc", "'abc' is not a number of seconds"),
    ("printer", "vendor_id", "zz", "'zz' is not a number; write e.g. 0x04b8"),
    ("printer", "interface", "one", "'one' is not a whole number"),
    ("kiosk", "fullscreen", "maybe", "'maybe' is not yes or no"),
])
def test_kiosk_ini_numbers_must_be_finite_in_range_and_are_refused_in_plain_words(
        ini, section, key, value, words):
    with pytest.raises(ConfigError) as err:
        load_config(ini(**{section: {key: value}}))
    message = str(err.value)
    assert f"[{section}] {key}" in message and words in message and "default" in message
    for python in ("could not convert", "invalid literal", "base 0", "float", "int()"):
        assert python not in message


def test_every_number_in_the_schema_has_an_upper_bound():
    from kiosk.config import SCHEMA
    for section, keys in SCHEMA.items():
        for key, (conv, default) in keys.items():
            conv(default)  # the shipped defaults are inside their own ranges
            if key.endswith("_s") or key.endswith("_m") or key in ("port", "width", "baudrate"):
                with pytest.raises(ValueError):
                    conv("1e12")


@pytest.mark.parametrize("text, words", [
    ("[kiosk]\nid = K1\nid = K2\n", "key 'id' appears twice in [kiosk] (line 3); keep one"),
    ("[kiosk]\nid = K1\n[printer]\n[kiosk]\nwidth = 900\n",
     "section [kiosk] appears twice (line 4); keep one"),
    ("[office]\nname = Dinas\nregency = Bar\xe9to Timur\n", "line 3 is not UTF-8"),
])
def test_kiosk_ini_duplicates_and_bad_bytes_name_the_line(tmp_path, text, words):
    path = tmp_path / "kiosk.ini"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert words in str(err.value)
    assert "position" not in str(err.value) and "'key = value'" not in str(err.value)


def test_kiosk_ini_that_is_a_folder_is_called_a_folder(tmp_path):
    (tmp_path / "kiosk.ini").mkdir()
    with pytest.raises(ConfigError, match="is a folder, not a file") as err:
        load_config(tmp_path / "kiosk.ini")
    assert "UTF-8" not in str(err.value) and "permission" not in str(err.value)


@pytest.mark.parametrize("spoil, words", [
    ("file", "is a file, not a folder"),
    ("file-parent", "is a file, not a folder"),
    ("read-only", "is read-only"),
])
def test_kiosk_check_reports_an_unusable_spool_folder(ini, tmp_path, capsys, monkeypatch,
                                                      spoil, words):
    import os
    from lobby.cli import main
    spool = tmp_path / "spool"
    path = ini(printer={"type": "file", "path": "spool/slips" if spoil == "file-parent"
                        else "spool"})
    if spoil == "read-only":
        spool.mkdir()
        spool.chmod(0o555)
        if os.geteuid() == 0:  # root writes anywhere: play the kiosk's own user
            real = os.access
            monkeypatch.setattr(os, "access", lambda p, mode: real(p, mode) and (
                not mode & os.W_OK or bool(os.stat(p).st_mode & 0o200)))
    else:
        spool.write_text("not a folder")
    assert main(["check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "[printer] path" in err and words in err


def test_kiosk_check_leaves_a_missing_spool_folder_uncreated(ini, tmp_path, capsys):
    from lobby.cli import main
    assert main(["check", "--config", str(ini(printer={"path": "later/spool"}))]) == 0
    assert "kiosk.ini" in capsys.readouterr().out and not (tmp_path / "later").exists()


def test_server_url_without_a_token_is_named(ini):
    with pytest.raises(ConfigError) as err:
        load_config(ini(server={"url": "http://127.0.0.1:8080"}))
    assert "[server]" in str(err.value) and "token" in str(err.value)


def test_menu_export_writes_a_new_file_and_import_validates(ini, tmp_path):
    from lobby.cli import main
    from kiosk.menu import load_menu
    path = ini()
    out = tmp_path / "usb" / "menu.json"
    out.parent.mkdir()
    assert main(["menu", "export", str(out), "--config", str(path)]) == 0
    assert load_menu(out).version
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100000)
    assert main(["menu", "validate", str(deep)]) == 2
    assert main(["menu", "import", str(deep), "--config", str(path)]) == 2


def test_kiosk_check_while_the_kiosk_runs(ini, capsys, clock):
    from lobby.cli import main
    from kiosk.config import load_config
    from kiosk.store import Store
    path = ini()
    cfg = load_config(path)
    running = Store(cfg.kiosk.data_dir, clock=clock)
    try:
        assert main(["check", "--config", str(path)]) == 0
        assert "in use by the running kiosk" in capsys.readouterr().out
    finally:
        running.close()
