"""Run an ASGI app with uvicorn in a background thread on 127.0.0.1 (tests, benchmarks), and
read a display's event stream as plain HTTP (:class:`EventReader`).

::

    with ServerThread(create_app(settings)) as server:
        requests.get(server.url + "/api/v1/health", timeout=2)
"""
from __future__ import annotations

import socket
import threading
import time

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on ``host``."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServerThread:
    """uvicorn serving ``app`` on ``host:port`` (port 0: a free one) in a daemon thread.

    ``start()`` returns once the server accepts connections, or raises
    RuntimeError after ``start_timeout_s`` seconds. ``url`` is ``http://host:port``, or
    ``https://`` when ``ssl_certfile``/``ssl_keyfile`` (PEM paths) are given.
    ``lifespan="on"`` also runs the app's background jobs (the retention job).
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0,
                 start_timeout_s: float = 10.0, ssl_certfile: str | None = None,
                 ssl_keyfile: str | None = None, lifespan: str = "off"):
        self.host, self.port = host, port or free_port(host)
        self.url = f"{'https' if ssl_certfile else 'http'}://{host}:{self.port}"
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning",
                                lifespan=lifespan, timeout_graceful_shutdown=1,
                                ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
        self.server = uvicorn.Server(config)
        self.start_timeout_s = start_timeout_s
        self._thread = threading.Thread(target=self.server.run, name="office-server",
                                        daemon=True)

    def start(self) -> "ServerThread":
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout_s
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"office server did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self.server.should_exit = True
        self._thread.join(timeout_s)

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class EventReader:
    """A plain HTTP reader of a server-sent event stream (what a display page receives).

    ``next(timeout_s)`` returns ``(event, data)`` with ``data`` parsed from JSON; raises
    TimeoutError when nothing complete arrives in time, ConnectionError when the stream ends.
    """

    def __init__(self, url: str, path: str = "/display/events", timeout_s: float = 10.0):
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        self._conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout_s)
        self._conn.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self._conn.getresponse()
        self._sock = self._conn.sock

    def next(self, timeout_s: float = 5.0) -> tuple[str, object]:
        import json

        event, data = "message", []
        self._sock.settimeout(timeout_s)
        while True:
            try:
                raw = self.response.readline()
            except OSError as exc:  # socket.timeout is an OSError
                raise TimeoutError("no event in time") from exc
            except (AttributeError, ValueError) as exc:  # closed meanwhile (close())
                raise ConnectionError("event stream closed") from exc
            if not raw:
                raise ConnectionError("event stream ended")
            line = raw.decode("utf-8").rstrip("\r\n")
            if not line:
                if data:
                    return event, json.loads("\n".join(data))
                event = "message"
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)

    def close(self) -> None:
        self._conn.close()


#: Flags of a headless Debian chromium for tests, benchmarks and screenshots; sound plays
#: without a click, as on the waiting-room TV (README).
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
                  "--disable-dev-shm-usage")


def headless_chromium(profile_dir: str, width: int = 1280, height: int = 900):
    """A selenium driver of Debian's ``chromium`` via ``chromium-driver``, headless, with a fresh
    profile in ``profile_dir``. Raises RuntimeError naming the packages when they are missing
    (``apt-get install --no-install-recommends chromium chromium-driver``)."""
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not browser or not driver:
        raise RuntimeError("chromium and chromedriver are needed: apt-get install "
                           "--no-install-recommends chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROMIUM_FLAGS + (f"--user-data-dir={profile_dir}",
                                  f"--window-size={width},{height}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(driver))
