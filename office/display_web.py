"""The waiting-room display: a full-screen page for a TV, fed by server-sent events.

* ``GET /display``               the page (no login: it shows only numbers and counters)
* ``GET /display/events``        ``text/event-stream``: a ``state`` event at once and after
  every call (:mod:`office.floor` documents its JSON), a ``ping`` every 10 s
* ``GET /display/state``         the same state as JSON (for a quick look or a script)
* ``GET /display/voice/{counter_id}/{number}.wav``  chime + Indonesian speech of that call
  (:mod:`office.voice`), made on the server without internet and cached per phrase
* ``GET /static/{name}``         the pages' JavaScript

The page keeps the last state on screen while disconnected, shows a small "menyambung
ulang" mark, and reconnects by itself (after a network drop or a server restart).
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse

from .offices import here
from .counter_repo import CounterError, normalize_number
from .events import sse
from .feed import newest_action_id
from .floor import display_state

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).with_name("static")
SCRIPTS = {"display.js", "loket.js"}

CSS = """html,body{margin:0;height:100%;background:#0b1f33;color:#fff;overflow:hidden;
font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif}
header{display:flex;justify-content:space-between;align-items:center;height:11vh;
padding:0 3vw;background:#06213d;border-bottom:.6vh solid #f2b705}
#office{font-size:4.2vh;font-weight:bold}#clock{font-size:6vh;font-variant-numeric:tabular-nums;
font-weight:bold}
.grid{display:grid;gap:1.4vh;padding:1.4vh 1.4vw;height:64vh;box-sizing:border-box;
grid-template-columns:repeat(3,1fr)}.grid.n1{grid-template-columns:1fr}
.grid.n2,.grid.n4{grid-template-columns:repeat(2,1fr)}
.tile{background:#123a61;border-radius:1.4vh;display:flex;flex-direction:column;
align-items:center;justify-content:center;min-height:0;overflow:hidden}
.tile .name{font-size:4.4vh;font-weight:bold;color:#f2b705;text-transform:uppercase}
.tile .number{font-size:17vh;font-weight:bold;line-height:1.05;font-variant-numeric:tabular-nums;
white-space:nowrap;display:inline-block}.tile .number.idle{color:#5d7a96}
.grid.n7 .number,.grid.n8 .number,.grid.n9 .number{font-size:15vh}
.grid.n7 .tile .name,.grid.n8 .tile .name,.grid.n9 .tile .name{font-size:3.4vh}
.tile.fresh{background:#1f7a3a;animation:flash 1s ease-in-out 3}
@keyframes flash{50%{background:#f2b705;color:#06213d}}
footer{height:23vh;padding:0 3vw;box-sizing:border-box;background:#06213d}
footer h2{font-size:3vh;margin:0;padding-top:1.2vh;color:#f2b705;font-weight:normal}
#recent{list-style:none;margin:.6vh 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.4vh 3vw;
font-size:4.6vh}#recent small{color:#9fb4c8;font-size:.6em}
#said{font-size:2.6vh;color:#cfe0f0;margin-top:1vh}
#offline{position:fixed;right:1.2vw;bottom:1vh;font-size:2vh;color:#ffd0d0;
background:#5a1010;padding:.3vh .8vw;border-radius:.8vh}
#sound{position:fixed;left:1.2vw;bottom:1vh;font-size:2vh;background:#f2b705;color:#06213d;
padding:.3vh .8vw;border-radius:.8vh}"""


def _page(office: str) -> str:
    return f"""<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Antrian — {escape(office)}</title><style>{CSS}</style></head>
<body data-online="0"><header><div id="office">{escape(office)}</div>
<div id="clock">--:--:--</div></header>
<main id="counters" class="grid"></main>
<footer><h2>Panggilan terakhir <small>(last calls)</small></h2><ul id="recent"></ul>
<div id="said" aria-live="polite"></div></footer>
<div id="offline" hidden>&#9679; menyambung ulang… <small>(reconnecting)</small></div>
<div id="sound" hidden>Sentuh layar sekali untuk suara (touch once for sound)</div>
<script src="/static/display.js"></script></body></html>"""


@router.get("/display", response_class=HTMLResponse)
def display_page(request: Request) -> HTMLResponse:
    """The full-screen waiting-room display."""
    return HTMLResponse(_page(here(request).settings.office_name))


@router.get("/display/state")
def state_json(request: Request) -> JSONResponse:
    return JSONResponse(display_state(here(request)), headers={"Cache-Control": "no-store"})


@router.get("/display/events")
async def events(request: Request) -> StreamingResponse:
    """The display's event stream: the state now, then one ``state`` event per call."""
    office = here(request)
    sub = office.events.subscribe()
    first = sse("state", await run_in_threadpool(_first_state, office))
    return StreamingResponse(office.events.stream(first, sub),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _first_state(office) -> dict:
    """The state a new stream starts with; the process's look counts calls from it on."""
    office.events.baseline(newest_action_id(office.repo))
    return display_state(office)


@router.get("/display/voice/{counter_id}/{number}.wav")
async def voice(request: Request, counter_id: int, number: str) -> FileResponse:
    """Chime + speech of calling ``number`` to counter ``counter_id`` (404 for a counter
    that does not exist or a text that is not a queue number)."""
    counter = here(request).counters.counter(counter_id)
    try:
        number = normalize_number(number)
    except CounterError:
        counter = None
    if counter is None:
        raise HTTPException(404, "No such counter or number.")
    path = await run_in_threadpool(here(request).voice.wav, number, counter.name)
    return FileResponse(path, media_type="audio/wav",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    if name not in SCRIPTS:
        raise HTTPException(404, "Not found.")
    return FileResponse(STATIC / name, media_type="text/javascript",
                        headers={"Cache-Control": "no-cache"})
