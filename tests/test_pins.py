"""PINs: Argon2 hashes on disk, roles, a lockout that survives restarts, `kiosk set-pin`."""
import io
import json
import subprocess
import sys

import pytest
from argon2 import PasswordHasher

from kiosk.clock import FixedClock
from kiosk.pins import (DAMAGED, DAMAGED_WORDS, LOCKED, OK, UNSET, WRONG, PinCheck, PinError,
                        PinStore, valid_pin, set_pin_command)

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def wall():
    return FixedClock()


def pins(tmp_path, wall, **kw):
    return PinStore(tmp_path / "data" / "pins.json", kw.pop("max_attempts", 3),
                    kw.pop("lockout_s", 300), clock=wall, hasher=FAST)


def test_pin_is_stored_as_an_argon2_hash_never_in_clear(tmp_path, wall):
    store = pins(tmp_path, wall)
    store.set_pin("staff", "482913")
    raw = (tmp_path / "data" / "pins.json").read_text()
    assert "482913" not in raw
    assert json.loads(raw)["pins"]["staff"].startswith("$argon2id$")
    assert store.verify("482913") == pins(tmp_path, wall).verify("482913")
    assert store.verify("482913").role == "staff"


def test_staff_and_admin_have_separate_pins(tmp_path, wall):
    store = pins(tmp_path, wall)
    store.set_pin("staff", "1111")
    store.set_pin("admin", "22222222")
    assert store.verify("1111").role == "staff"
    assert store.verify("22222222").role == "admin"
    assert store.roles_set() == ("staff", "admin")


def test_fresh_kiosk_has_no_pin_and_nothing_opens(tmp_path, wall):
    store = pins(tmp_path, wall)
    assert store.roles_set() == ()
    assert store.verify("0000").reason == UNSET
    assert not (tmp_path / "data" / "pins.json").exists()


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "", " 1234"])
def test_pin_must_be_4_to_8_digits(tmp_path, wall, pin):
    with pytest.raises(PinError):
        pins(tmp_path, wall).set_pin("staff", pin)


def test_wrong_pins_count_down_then_lock(tmp_path, wall):
    store = pins(tmp_path, wall, max_attempts=3, lockout_s=300)
    store.set_pin("staff", "1234")
    assert store.verify("9999") == PinCheck(WRONG, attempts_left=2)
    assert store.verify("9999").attempts_left == 1
    locked = store.verify("9999")
    assert locked.reason == LOCKED and locked.locked_s == 300
    # even the right PIN is refused while locked
    wall.advance(seconds=120)
    check = store.verify("1234")
    assert check.reason == LOCKED and check.locked_s == pytest.approx(180)


def test_lockout_survives_a_restart_and_ends_after_lockout_s(tmp_path, wall):
    store = pins(tmp_path, wall, max_attempts=2)
    store.set_pin("admin", "5555")
    store.verify("0000")
    store.verify("0000")
    restarted = pins(tmp_path, wall, max_attempts=2)
    assert restarted.verify("5555").reason == LOCKED
    wall.advance(seconds=301)
    assert restarted.verify("5555").reason == OK
    # the series starts afresh after a lockout
    assert restarted.verify("0000").attempts_left == 1


def test_failure_count_survives_restart(tmp_path, wall):
    store = pins(tmp_path, wall, max_attempts=3)
    store.set_pin("staff", "1234")
    store.verify("0000")
    store.verify("0000")
    assert pins(tmp_path, wall, max_attempts=3).verify("0000").reason == LOCKED


def test_clock_set_back_cannot_stretch_the_lockout(tmp_path, wall):
    store = pins(tmp_path, wall, max_attempts=1, lockout_s=60)
    store.set_pin("staff", "1234")
    store.verify("0000")
    wall.jump(days=-1)
    assert store.locked_s() == 60


def test_right_pin_resets_the_failure_count(tmp_path, wall):
    store = pins(tmp_path, wall, max_attempts=3)
    store.set_pin("staff", "1234")
    store.verify("0000")
    store.verify("0000")
    assert store.verify("1234").ok
    assert store.verify("0000").attempts_left == 2


def test_setting_a_pin_lifts_a_lockout(tmp_path, wall):
    store = pins(tmp_path, wall, max_attempts=1)
    store.set_pin("staff", "1234")
    store.verify("0000")
    store.set_pin("staff", "4321")
    assert store.verify("4321").ok


@pytest.mark.parametrize("damage", ["{trunc", "", "[]", '"x"', '{"pins": []}',
                                    '{"pins": {"staff": 5}}', '{"pins": {}, "failures": "x"}',
                                    '{"pins": {"staff": "plaintext1234"}}'])
def test_damaged_pin_file_keeps_staff_mode_closed_and_says_damaged(tmp_path, wall, damage):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "pins.json").write_text(damage)
    store = pins(tmp_path, wall)
    assert store.damaged()
    assert store.verify("1234").reason == DAMAGED  # not "no PIN set": that sends staff astray
    assert store.verify("plaintext1234").reason == DAMAGED


def test_setting_a_pin_again_repairs_a_damaged_file_and_keeps_it_aside(tmp_path, wall):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "pins.json").write_text("{trunc")
    store = pins(tmp_path, wall)
    store.set_pin("staff", "1234")
    assert not store.damaged() and store.verify("1234").ok
    kept = list((tmp_path / "data").glob("pins.json.corrupt-20261130T09*"))  # the clock's time
    assert len(kept) == 1 and kept[0].read_text() == "{trunc"


def test_the_damaged_pin_words_have_an_english_translation():
    from kiosk.i18n import translator
    assert "Berkas PIN rusak" in DAMAGED_WORDS and "kiosk set-pin" in DAMAGED_WORDS
    assert translator("en", "staff")(DAMAGED_WORDS) == \
        "PIN file damaged; set the PINs again with kiosk set-pin."


class Pipe(io.StringIO):
    def isatty(self):
        return False


def test_set_pin_command_reads_stdin_and_audits(config):
    out = io.StringIO()
    assert set_pin_command(config, "admin", stdin=Pipe("73914\n73914\n"), out=out) == 0
    assert "admin" in out.getvalue()
    assert PinStore.for_config(config).verify("73914").role == "admin"
    audit = (config.kiosk.data_dir / "audit.jsonl").read_text()
    assert '"set-pin"' in audit and '"target": "admin"' in audit
    assert "73914" not in audit


def test_set_pin_works_while_the_kiosk_holds_the_data_directory(config, clock):
    from kiosk.store import Store
    running = Store(config.kiosk.data_dir, clock=clock)
    try:
        assert set_pin_command(config, "staff", stdin=Pipe("8642\n"), out=io.StringIO()) == 0
        assert running.audit_entries()[-1]["action"] == "set-pin"
    finally:
        running.close()
    assert PinStore.for_config(config).verify("8642").role == "staff"


@pytest.mark.parametrize("text", ["1234\n4321\n", "12\n", ""])
def test_set_pin_command_refuses_mismatch_and_bad_format(config, text):
    out = io.StringIO()
    assert set_pin_command(config, "staff", stdin=Pipe(text), out=out) == 1
    assert "nothing changed" in out.getvalue()
    assert PinStore.for_config(config).roles_set() == ()


def test_kiosk_set_pin_cli_from_a_script(ini, tmp_path):
    path = ini()
    done = subprocess.run([sys.executable, "-m", "lobby.cli", "--config", str(path), "set-pin",
                           "staff"], input="2468\n", capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "PIN staff disimpan" in done.stdout
    assert json.loads((tmp_path / "data" / "pins.json").read_text())["pins"]["staff"]


def test_admin_pin_must_differ_from_the_staff_pin(tmp_path):
    import io
    from kiosk.config import load_config
    ini = tmp_path / "kiosk.ini"
    ini.write_text("[kiosk]\ndata_dir = data\n[printer]\ntype = dummy\n")
    cfg = load_config(ini)
    out = io.StringIO()
    assert set_pin_command(cfg, "staff", stdin=io.StringIO("2468\n2468\n"), out=out) == 0
    assert set_pin_command(cfg, "admin", stdin=io.StringIO("2468\n2468\n"), out=out) == 1
    assert "must differ" in out.getvalue()


def test_only_ascii_digits_make_a_pin():
    assert not valid_pin("١٢٣٤") and valid_pin("1234")
