"""HTML of the loket (counter) pages: the counter picker, the counter page and its lists.

Indonesian first, English in small type. Each action is a button of one form; the letter
on each button is its keyboard key (``static/loket.js``): B next, U again, L skip,
S done, A transfer (focuses the destination), N call by number (focuses the number box).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from .pages import csrf_field, page, table

LOKET_CSS = """.now{border:3px solid #0b5cad;border-radius:10px;padding:.6em 1.2em;margin:.8em 0;
display:flex;gap:2em;align-items:center;flex-wrap:wrap}.now .big{font-size:4.2em;
font-weight:bold;color:#0b5cad;line-height:1.1;font-variant-numeric:tabular-nums}
.actions button{margin:.25em .3em .25em 0;min-width:9em}.actions kbd,.key{display:inline-block;
border:1px solid #888;border-radius:4px;padding:0 .35em;font-size:.8em;background:#fff;
color:#1d1d1d;margin-left:.3em;font-family:inherit}.row{display:flex;gap:1.5em;flex-wrap:wrap;
align-items:flex-end;margin:.4em 0}.cols{display:flex;gap:2em;flex-wrap:wrap}
.cols>div{flex:1 1 24em}td.n{text-align:right;font-variant-numeric:tabular-nums}
.picker a{display:block;font-size:1.3em;margin:.4em 0}"""


@dataclass(frozen=True)
class LoketView:
    """Everything the counter page shows (built by :mod:`office.loket_web`)."""

    counter: object          # CounterInfo
    staff: str
    csrf: str
    now: datetime            # office-local
    current: object | None   # Item
    waiting: list
    waiting_total: int
    skipped: list
    counters: list           # other active counters (transfer targets)
    services: dict           # code -> (name, queue)
    stats: list              # ServiceStats
    actions: list            # ActionRecord of this counter, newest first
    tz: object
    error: str = ""


def _hhmm(iso: str | None, tz) -> str:
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).astimezone(tz).strftime("%H:%M")
    except ValueError:
        return "-"


def _minutes(iso: str | None, now: datetime) -> str:
    if not iso:
        return "-"
    try:
        return str(max(0, int((now - datetime.fromisoformat(iso)).total_seconds() // 60)))
    except ValueError:
        return "-"


def _min(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f}"


def picker(staff: str, csrf: str, counters: list, waiting: dict) -> str:
    """The counter picker page: every active counter with its queues and waiting count."""
    links = "".join(
        f'<a href="/loket/{c.id}">{escape(c.name)} <small>(antrian {escape(", ".join(c.queues))}'
        f'; {waiting.get(c.id, 0)} menunggu)</small></a>' for c in counters)
    links = links or ("<p>Belum ada loket. Admin menambahkannya di <a href='/admin/counters'>"
                      "Loket &amp; petugas</a>. <span class='en'>(No counters yet.)</span></p>")
    return page("Pilih loket", f"""<style>{LOKET_CSS}</style>
<h1>Pilih loket <small>(choose your counter)</small></h1>{_who(staff, csrf)}
<div class="picker">{links}</div>""")


def _who(staff: str, csrf: str) -> str:
    return (f'<nav>Petugas <b>{escape(staff)}</b> <a href="/loket">Ganti loket <span '
            f'class="en">(change counter)</span></a> <a href="/display" target="_blank">Layar '
            f'ruang tunggu <span class="en">(display)</span></a><form class="inline" '
            f'method="post" action="/logout">{csrf_field(csrf)}<button>Keluar</button></form>'
            f'</nav>')


def lists(v: LoketView) -> str:
    """The waiting and skipped lists (also served alone, for the page's 5 s refresh)."""
    rows = [[str(i + 1), f"<b>{escape(t.number)}</b>", escape(_service(v, t.service_code)),
             escape(t.kiosk_id or "-"), _hhmm(t.issued_at, v.tz),
             _minutes(t.issued_at, v.now)] for i, t in enumerate(v.waiting)]
    more = (f"<p><small>… dan {v.waiting_total - len(v.waiting)} lagi.</small></p>"
            if v.waiting_total > len(v.waiting) else "")
    skipped = [[f"<b>{escape(t.number)}</b>", escape(_service(v, t.service_code)),
                _hhmm(t.called_at, v.tz),
                f'<form class="inline" method="post" action="/loket/{v.counter.id}">'
                f'{csrf_field(v.csrf)}<input type="hidden" name="item" value="{t.id}">'
                f'<button name="action" value="item">Panggil lagi <span class="en">(call '
                f'again)</span></button></form>'] for t in v.skipped]
    return (f"<h2>Menunggu <small>(waiting: {v.waiting_total})</small></h2>"
            + table(["#", "Nomor", "Layanan <span class='en'>(service)</span>", "Kiosk",
                     "Diambil <span class='en'>(taken)</span>",
                     "Menit menunggu <span class='en'>(minutes waiting)</span>"], rows) + more
            + f"<h2>Dilewati hari ini <small>(skipped today: {len(v.skipped)})</small></h2>"
            + table(["Nomor", "Layanan", "Dipanggil <span class='en'>(called)</span>", ""],
                    skipped))


def _service(v: LoketView, code: str) -> str:
    return v.services.get(code, (code or "belum diketahui", ""))[0]


def _current(v: LoketView) -> str:
    t = v.current
    if t is None:
        return ('<div class="now" id="current"><div class="big">—</div><div>Belum ada yang '
                'dilayani. Tekan <b>Panggil berikutnya</b>. <span class="en">(Nobody is being '
                'served: call the next ticket.)</span></div></div>')
    origin = ("belum diterima dari kiosk <span class='en'>(not received from its kiosk "
              "yet)</span>" if t.placeholder else
              f"diambil {_hhmm(t.issued_at, v.tz)} di {escape(t.kiosk_id)}, menunggu "
              f"{_minutes(t.issued_at, v.now)} menit")
    return (f'<div class="now" id="current"><div class="big" id="current-number">'
            f'{escape(t.number)}</div><div><b>{escape(_service(v, t.service_code))}</b><br>'
            f'{origin}<br>dipanggil {_hhmm(t.called_at, v.tz)} ({t.calls}x)</div></div>')


def _button(action: str, key: str, label: str, en: str, enabled: bool = True) -> str:
    off = "" if enabled else " disabled"
    cls = ' class="primary"' if action == "next" else ""
    data = f' data-key="{key}"' if key else ""
    kbd = f"<kbd>{key.upper()}</kbd>" if key else ""
    return (f'<button{cls} name="action" value="{action}"{data}{off}>{label} '
            f'<span class="en">({en})</span>{kbd}</button>')


def _transfer_options(v: LoketView) -> str:
    counters = "".join(f'<option value="c:{c.id}">{escape(c.name)}</option>'
                       for c in v.counters if c.id != v.counter.id)
    services = "".join(f'<option value="s:{escape(code)}">{escape(name)} ({escape(q)})</option>'
                       for code, (name, q) in v.services.items())
    return (f'<optgroup label="Loket">{counters}</optgroup>'
            f'<optgroup label="Layanan">{services}</optgroup>')


def loket_page(v: LoketView) -> str:
    """The counter page: now serving, the actions, the lists, the day's figures."""
    busy = v.current is not None
    err = f'<div class="box bad" role="alert">{escape(v.error)}</div>' if v.error else ""
    stats = [[escape(_service(v, s.service_code)), str(s.taken), str(s.waiting), str(s.done),
              _min(s.wait_median_s), _min(s.wait_mean_s), _min(s.handle_median_s),
              _min(s.handle_mean_s)] for s in v.stats]
    mine = [[_hhmm(a.at, v.tz), escape(a.action), f"<b>{escape(a.number)}</b>",
             escape(a.staff), escape(a.detail)] for a in v.actions]
    return page(v.counter.name, f"""<style>{LOKET_CSS}</style>
<h1>{escape(v.counter.name)} <small>(antrian {escape(", ".join(v.counter.queues))})</small></h1>
{_who(v.staff, v.csrf)}{err}{_current(v)}
<form method="post" action="/loket/{v.counter.id}" class="actions" id="actions">
{csrf_field(v.csrf)}
{_button("next", "b", "Panggil berikutnya", "call next")}
{_button("again", "u", "Panggil ulang", "call again", busy)}
{_button("skip", "l", "Lewati", "not here: skip", busy)}
{_button("done", "s", "Selesai", "done", busy)}</form>
<div class="row actions"><form method="post" action="/loket/{v.counter.id}" id="transfer">
{csrf_field(v.csrf)}<label>Alihkan ke <span class="en">(transfer to)</span> <span class="key">A
</span><br><select name="to" data-key="a" {'' if busy else 'disabled'}>{_transfer_options(v)}
</select></label> {_button("transfer", "", "Alihkan", "transfer", busy)}</form>
<form method="post" action="/loket/{v.counter.id}" id="by-number">{csrf_field(v.csrf)}
<label>Panggil nomor <span class="en">(call by number)</span> <span class="key">N</span><br>
<input name="number" size="9" maxlength="12" placeholder="A007" data-key="n" required
autocomplete="off"></label> {_button("number", "", "Panggil", "call")}</form></div>
<div id="lists" data-src="/loket/{v.counter.id}/lists">{lists(v)}</div>
<div class="cols"><div><h2>Hari ini per layanan <small>(today per service; minutes)</small></h2>
{table(["Layanan", "Diambil", "Menunggu", "Selesai", "Tunggu median <span class='en'>(wait)"
        "</span>", "Tunggu rata-rata", "Layanan median <span class='en'>(handling)</span>",
        "Layanan rata-rata"], stats)}</div>
<div><h2>Tindakan di loket ini <small>(actions here)</small></h2>
{table(["Jam", "Tindakan", "Nomor", "Petugas", "Catatan"], mine)}</div></div>
<script src="/static/loket.js"></script>""")
