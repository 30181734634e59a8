"""The waiting-room display's feed on a real server on 127.0.0.1 (plain HTTP readers of the
event stream), and the announcement: chime + Indonesian speech, cached per phrase."""
import shutil
import time
import wave

import pytest
import requests
from conftest import TOKENS, ticket
from counterkit import counter_app

from office.devserver import EventReader, ServerThread
from office.voice import Voice, chime, counter_words, phrase, spell_number, words

HAVE_ESPEAK = shutil.which("espeak-ng") is not None


@pytest.fixture
def app(db_url, tmp_path):
    app = counter_app(db_url, tmp_path / "voice", TOKENS)
    yield app
    app.state.repo.engine.dispose()


def test_a_call_reaches_every_open_display_stream_within_a_second(app):
    app.state.repo.upsert_checkins("K1", [ticket(seq=7)])
    counter = app.state.offices.scope().counters.counters()[0]
    with ServerThread(app) as server:
        readers = [EventReader(server.url) for _ in range(3)]
        try:
            for r in readers:
                event, state = r.next()
                assert event == "state" and "call" not in state
                assert state["office"] == "Disdukcapil Barito Timur"
                assert [c["name"] for c in state["counters"]] == ["Loket 1", "Loket 2",
                                                                    "Loket 3"]
            started = time.monotonic()
            from office.loket_web import act
            act(app.state.offices.scope(), counter, "budi", {"action": "next"})
            for r in readers:
                event, state = r.next(timeout_s=10)
                assert event == "state"
                assert state["call"]["number"] == "A007"
                assert state["call"]["text"] == ("Nomor antrian A nol nol tujuh, silakan ke "
                                                 "loket satu")
                assert state["counters"][0]["number"] == "A007"
            # the 1 s goal is measured by bench/counter_bench.py; here only a hang guard
            assert time.monotonic() - started < 10
            audio = requests.get(server.url + state["call"]["audio"], timeout=30)
            assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
            assert requests.get(server.url + "/display/voice/99/A007.wav",
                                timeout=5).status_code == 404
            assert requests.get(server.url + "/display/voice/1/rm%20-rf.wav",
                                timeout=5).status_code == 404
            page = requests.get(server.url + "/display", timeout=5).text
            assert "/static/display.js" in page and "Disdukcapil Barito Timur" in page
        finally:
            for r in readers:
                r.close()


@pytest.mark.parametrize("n, said", [(1, "satu"), (2, "dua"), (10, "sepuluh"),
                                     (11, "sebelas"), (12, "dua belas"), (20, "dua puluh"),
                                     (21, "dua puluh satu"), (100, "seratus"),
                                     (115, "seratus lima belas"), (1000, "seribu"),
                                     (2024, "dua ribu dua puluh empat")])
def test_counter_numbers_are_said_in_indonesian_words(n, said):
    assert words(n) == said


def test_phrases_spell_the_number_and_say_the_counter():
    assert phrase("A007", "Loket 2") == "Nomor antrian A nol nol tujuh, silakan ke loket dua"
    assert spell_number("B1-012", spoken=True) == "be satu nol satu dua"
    assert counter_words("Loket Prioritas") == "loket prioritas"


def test_announcement_wav_is_made_once_per_phrase(tmp_path):
    voice = Voice(tmp_path / "cache")
    first = voice.wav("A007", "Loket 2")
    made = first.stat().st_mtime_ns
    assert voice.wav("A007", "Loket 2") == first and first.stat().st_mtime_ns == made
    assert voice.wav("A008", "Loket 2") != first
    with wave.open(str(first)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        frames = w.getnframes()
    chime_frames = len(chime()) // 2
    if HAVE_ESPEAK:  # the speech follows the chime: at least a second more
        assert frames > chime_frames + 22050
    else:
        assert frames >= chime_frames


def test_without_espeak_the_call_still_chimes(tmp_path, caplog):
    voice = Voice(tmp_path / "cache", espeak="no-such-espeak-program")
    assert "espeak-ng is not installed" in caplog.text
    with wave.open(str(voice.wav("A007", "Loket 2"))) as w:
        assert w.getnframes() >= len(chime()) // 2


def test_the_kiosk_sync_client_reads_now_serving_after_counter_calls(app):
    from test_office_admin_server import kiosk_cfg

    from kiosk.models import Ticket
    from kiosk.sync_client import SyncClient
    from office.loket_web import act
    app.state.repo.upsert_checkins("K1", [ticket(seq=n) for n in (1, 2, 3)])
    loket = app.state.offices.scope().counters.counters()[1]
    act(app.state.offices.scope(), loket, "sari", {"action": "next"})
    act(app.state.offices.scope(), loket, "sari", {"action": "next"})
    with ServerThread(app) as server:
        reply = SyncClient(kiosk_cfg(server.url), "K1").upload(
            [Ticket.from_dict(ticket(seq=4))])
        raw = requests.post(server.url + "/api/v1/checkins", headers={
            "Authorization": "Bearer k1-token"}, json={"kiosk_id": "K1", "tickets": []},
            timeout=5).json()
    assert reply.now_serving == {"A": 2}
    assert raw["queues"]["A"]["waiting"] == 2 and raw["handling"]["ktp-baru"]["count"] == 1
