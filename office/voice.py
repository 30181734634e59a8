"""The call announcement: a chime, then Indonesian speech, as one WAV file per phrase.

"Nomor antrian A nol nol tujuh, silakan ke loket dua" for ``A007`` at ``Loket 2``: the
number is read letter by letter and digit by digit (as Indonesian queue systems do), the
counter's own number as a whole word. Speech comes from Debian's ``espeak-ng`` with its
Indonesian voice (``-v id``), offline; the chime is generated here (a two-tone bell,
22050 Hz mono 16-bit, like espeak-ng's output). Files are cached per phrase under
``cache_dir`` (the sha256 of the spoken text names the file); a phrase is made once, even
when several displays ask for it at the same moment. Without espeak-ng the file holds the
chime alone and a warning names the package to install.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import wave
from pathlib import Path

log = logging.getLogger(__name__)

RATE = 22050
#: The Indonesian name of each letter, as said when spelling.
LETTERS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   "a be ce de e ef ge ha i je ka el em en o pe ki er es te u fe we eks ye zet"
                   .split()))
DIGITS = "nol satu dua tiga empat lima enam tujuh delapan sembilan".split()
#: Longest an espeak-ng run may take, in seconds.
ESPEAK_TIMEOUT_S = 20


def words(n: int) -> str:
    """``n`` (0-999999) in Indonesian words: 2 -> ``dua``, 12 -> ``dua belas``, 100 ->
    ``seratus``."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "sepuluh" if n == 10 else "sebelas" if n == 11 else f"{DIGITS[n - 10]} belas"
    for size, name, one in ((1000, "ribu", "seribu"), (100, "ratus", "seratus"),
                            (10, "puluh", "")):
        if n >= size:
            head, rest = divmod(n, size)
            text = one if head == 1 and one else f"{words(head)} {name}"
            return text + (f" {words(rest)}" if rest else "")
    raise ValueError(n)


def spell_number(number: str, spoken: bool = False) -> str:
    """``A1-007`` -> ``A satu nol nol tujuh`` (``spoken``: the letter by its Indonesian name,
    ``a``/``be``/``ce``..., which espeak-ng reads reliably)."""
    out = []
    for ch in number:
        if ch.isdigit():
            out.append(DIGITS[int(ch)])
        elif ch.isalpha():
            out.append(LETTERS.get(ch.upper(), ch) if spoken else ch.upper())
    return " ".join(out)


def counter_words(name: str) -> str:
    """A counter's name as said: ``Loket 2`` -> ``loket dua``, ``Loket Prioritas`` ->
    ``loket prioritas``."""
    return re.sub(r"\d+", lambda m: words(int(m.group())), name).lower().strip()


def phrase(number: str, counter_name: str, spoken: bool = False) -> str:
    """``Nomor antrian A nol nol tujuh, silakan ke loket dua`` (shown on the display;
    ``spoken`` gives the text handed to espeak-ng)."""
    return (f"Nomor antrian {spell_number(number, spoken)}, silakan ke "
            f"{counter_words(counter_name)}")


def chime(seconds: float = 1.1) -> bytes:
    """A two-tone bell (E5 then C5, decaying) as 16-bit mono PCM frames at :data:`RATE`."""
    frames = bytearray()
    half = int(RATE * seconds / 2)
    for freq in (659.25, 523.25):
        for i in range(half):
            t = i / RATE
            level = math.exp(-3.2 * t) * (0.6 * math.sin(2 * math.pi * freq * t)
                                          + 0.2 * math.sin(4 * math.pi * freq * t))
            frames += struct.pack("<h", int(level * 0.55 * 32767))
    return bytes(frames)


class Voice:
    """Makes and caches announcement WAVs in ``cache_dir``; ``espeak`` is the program."""

    def __init__(self, cache_dir: str | os.PathLike, espeak: str = "espeak-ng",
                 voice: str = "id", words_per_min: int = 140):
        self.cache_dir = Path(cache_dir)
        self.espeak = shutil.which(espeak)
        self.voice, self.words_per_min = voice, words_per_min
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        if self.espeak is None:
            log.warning("espeak-ng is not installed: calls are announced with the chime only. "
                        "Install it with: sh scripts/setup.sh --office (Debian package "
                        "espeak-ng)")

    def wav(self, number: str, counter_name: str) -> Path:
        """The cached WAV (chime + speech) for this call, made now if needed.

        Raises OSError when the cache folder cannot be written."""
        text = phrase(number, counter_name, spoken=True)
        key = hashlib.sha256(f"{self.voice}|{self.words_per_min}|{text}".encode()).hexdigest()
        path = self.cache_dir / f"{key[:24]}.wav"
        if path.exists():
            return path
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if not path.exists():
                self._make(text, path)
        return path

    def _speech(self, text: str) -> bytes:
        """espeak-ng's PCM frames for ``text`` at :data:`RATE`, or b"" when it cannot speak."""
        if self.espeak is None:
            return b""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "speech.wav"
            try:
                subprocess.run([self.espeak, "-v", self.voice, "-s", str(self.words_per_min),
                                "-w", str(out), text], check=True, capture_output=True,
                               timeout=ESPEAK_TIMEOUT_S)
                with wave.open(str(out)) as w:
                    if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
                        log.warning("espeak-ng wrote %s; expected mono 16-bit %d Hz",
                                    w.getparams(), RATE)
                        return b""
                    return w.readframes(w.getnframes())
            except (OSError, subprocess.SubprocessError, wave.Error) as exc:
                log.warning("espeak-ng could not speak %r: %s", text, exc)
                return b""

    def _make(self, text: str, path: Path) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        frames = chime() + b"\0\0" * int(RATE * 0.25) + self._speech(text)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(RATE)
                w.writeframes(frames)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
