"""HTML of the menu editor (server-rendered, no JavaScript), from the flat form fields.

Indonesian labels first, English in small type; every value is HTML-escaped.
Services are collapsible ``<details>`` boxes; those named in a problem open
and are outlined in red.
"""
from __future__ import annotations

from html import escape

from kiosk.menu import WEEKDAYS

from .menu_form import DAY_NAMES, row_count
from .pages import csrf_field

EDITOR_CSS = """.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15em,1fr));
gap:.6em 1.2em;margin:.5em 0}.grid>div{display:flex;flex-direction:column;
justify-content:flex-end}.grid label,.wide label{display:block;font-weight:bold}
.grid input,.grid select,.wide textarea,.wide input{width:100%;font-weight:normal}
.wide{display:grid;grid-template-columns:1fr 1fr;gap:.6em 1.2em;margin:.5em 0}
details.svc{border:1px solid #aab;border-radius:8px;margin:.5em 0;padding:.3em .8em;
background:#fafbfd}details.svc[open]{background:#fff}details.svc.bad{border:3px solid #a00000}
details.svc summary{cursor:pointer;font-size:1.05em;padding:.4em 0}
.off{color:#8a4b00;font-weight:bold}td input{width:100%}tr.bad td{background:#fff2f2}
.days{display:grid;grid-template-columns:repeat(7,1fr);gap:.4em}.days label{font-weight:bold}
.days input{width:100%;font-weight:normal}.check{font-weight:bold;margin:.4em 0;display:block}
label.own:has(input:not(:checked))+.days{opacity:.4}
.sticky{position:sticky;bottom:0;background:#fff;border-top:2px solid #ccd;padding:.6em 0}"""


def _v(fields, key) -> str:
    return escape(fields.get(key, ""), quote=True)


def _input(fields, key, label, *, kind="text", extra="") -> str:
    return (f'<div><label for="{key}">{label}</label><input type="{kind}" id="{key}" '
            f'name="{key}" value="{_v(fields, key)}" {extra}></div>')


def _check(fields, key, label, cls="check") -> str:
    checked = " checked" if fields.get(key) else ""
    return (f'<label class="{cls}"><input type="checkbox" name="{key}" value="1"{checked}> '
            f"{label}</label>")


def _days(fields, prefix) -> str:
    cells = "".join(f'<div><label for="{prefix}{d}">{DAY_NAMES[d]}</label><input id="{prefix}{d}"'
                    f' name="{prefix}{d}" value="{_v(fields, prefix + d)}" '
                    f'placeholder="tutup"></div>' for d in WEEKDAYS)
    return f'<div class="days">{cells}</div>'


def _mentioned(problems, *heads) -> bool:
    return any(p.startswith(h) for p in problems for h in heads if h)


def _queues(fields, problems) -> str:
    rows = []
    for i in range(row_count(fields, "nq")):
        p = f"q{i}."
        prefix = fields.get(p + "prefix", "").strip()
        bad = " class='bad'" if _mentioned(problems, f"Queue '{prefix}'" if prefix else "",
                                           f"Queue #{i + 1}") else ""
        cells = [f'<input name="{p}{k}" value="{_v(fields, p + k)}" aria-label="{k}"'
                 + (' maxlength="1" size="2"' if k == "prefix" else "") + ">"
                 for k in ("prefix", "counter", "counter_en", "name_id", "name_en")]
        for k in ("priority", "delete"):
            on = " checked" if fields.get(p + k) else ""
            cells.append(f'<input type="checkbox" name="{p}{k}" value="1"{on} aria-label="{k}">')
        rows.append(f"<tr{bad}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = ("<tr><th>Huruf <span class='en'>(prefix)</span></th><th>Loket <span class='en'>"
            "(counter)</span></th><th>Loket <span class='en'>(English, e.g. Counter 1)</span>"
            "</th><th>Nama (Indonesia) *</th><th>Nama <span class='en'>"
            "(English)</span></th><th>Prioritas <span class='en'>(priority)</span></th>"
            "<th>Hapus <span class='en'>(delete)</span></th></tr>")
    return (f"<table>{head}{''.join(rows)}</table><p><small>Baris kosong terakhir: untuk antrian "
            f"baru. Prioritas = antrian lansia, penyandang disabilitas, ibu hamil.</small></p>")


def _lines_area(fields, key, label) -> str:
    return (f'<div><label for="{key}">{label}</label>\n<textarea id="{key}" name="{key}" '
            f'rows="4">{_v(fields, key)}</textarea></div>')


def _service(fields, i, problems, datalist) -> str:
    p = f"s{i}."
    code = fields.get(p + "code", "").strip()
    name = fields.get(p + "name_id", "").strip()
    bad = _mentioned(problems, f"Service '{code}'" if code else "", f"Service #{i + 1}")
    if code or name:
        state = "" if fields.get(p + "enabled") else ' <span class="off">NONAKTIF</span>'
        summary = (f"{escape(fields.get(p + 'order', ''))} · <b>{escape(name or '(tanpa nama)')}"
                   f"</b> <small>({escape(code)}, antrian {escape(fields.get(p + 'queue', ''))})"
                   f"</small>{state}")
    else:
        summary = "<b>+ Tambah layanan baru</b> <small>(add a new service)</small>"
    hours_note = ("Jam layanan sendiri: centang bila berbeda dari jam kantor; hari kosong = "
                  "tutup <span class='en'>(own service hours; unticked = office hours)</span>")
    return f"""<details class="svc{' bad' if bad else ''}"{' open' if bad else ''}>
<summary>{summary}</summary>
{_check(fields, p + 'enabled', "Aktif: tampil di kiosk <span class='en'>(enabled)</span>")}
<div class="grid">{_input(fields, p + 'code', "Kode <span class='en'>(code)</span>")}
{_input(fields, p + 'order', "Urutan <span class='en'>(order)</span>", kind="number")}
{_input(fields, p + 'queue', "Antrian <span class='en'>(queue letter)</span>",
        extra='list="queue-letters" maxlength="1"')}
{_input(fields, p + 'counter', "Loket <span class='en'>(counter; empty = queue's)</span>")}
{_input(fields, p + 'counter_en', "Loket <span class='en'>(counter in English)</span>")}
{_input(fields, p + 'daily_quota', "Kuota harian <span class='en'>(daily quota; empty = none)"
        "</span>", kind="number")}
{_input(fields, p + 'avg', "Rata-rata menit layanan <span class='en'>(avg minutes)</span>",
        kind="number", extra='step="any"')}
{_input(fields, p + 'icon', "Ikon <span class='en'>(icon)</span>")}</div>
<div class="wide">{_input(fields, p + 'name_id', "Nama layanan (Indonesia) *")}
{_input(fields, p + 'name_en', "Nama <span class='en'>(English)</span>")}
{_lines_area(fields, p + 'req_id', "Syarat, satu per baris (Indonesia), misalnya: Berusia 17 "
             "tahun ke atas")}
{_lines_area(fields, p + 'req_en', "Syarat <span class='en'>(requirements, one per line, "
             "English)</span>")}
{_lines_area(fields, p + 'doc_id', "Dokumen yang perlu dibawa, satu per baris (Indonesia)")}
{_lines_area(fields, p + 'doc_en', "Dokumen <span class='en'>(documents to bring, one per "
             "line, English)</span>")}
<div><label for="{p}window_quotas">Kuota per jam, satu per baris <span class='en'>(window quotas,
e.g. 07:30-09:00 20)</span></label><textarea id="{p}window_quotas" name="{p}window_quotas"
rows="2">{_v(fields, p + 'window_quotas')}</textarea></div></div>
{_check(fields, p + 'own_hours', hours_note, cls="check own")}{_days(fields, p + 'h.')}
{_check(fields, p + 'delete', "Hapus layanan ini <span class='en'>(delete this service)</span>")}
</details>{datalist if i == 0 else ''}"""


def editor(fields: dict, problems: list[str], csrf: str, base_id: int, suggested: str) -> str:
    """The editor ``<form>`` (POST /admin/menu) filled from ``fields``."""
    letters = "".join(f'<option value="{_v(fields, f"q{i}.prefix")}">{_v(fields, f"q{i}.name_id")}'
                      f"</option>" for i in range(row_count(fields, "nq"))
                      if fields.get(f"q{i}.prefix"))
    datalist = f'<datalist id="queue-letters">{letters}</datalist>'
    services = "".join(_service(fields, i, problems, datalist)
                       for i in range(row_count(fields, "ns")))
    return f"""<form method="post" action="/admin/menu">{csrf_field(csrf)}
<input type="hidden" name="base" value="{base_id}">
<input type="hidden" name="nq" value="{_v(fields, 'nq')}">
<input type="hidden" name="ns" value="{_v(fields, 'ns')}">
<div class="grid">{_input(fields, 'version', "Versi baru <span class='en'>(new version)</span>",
                          extra='required maxlength="120"')}
<div><small>Saran <span class='en'>(suggested)</span>: <b>{escape(suggested)}</b></small></div></div>
<h3>Layanan <small>(services; click one to edit)</small></h3>{services}
<h3>Antrian <small>(queues)</small></h3>{_queues(fields, problems)}
<h3>Jam kantor <small>(office hours, e.g. 08:00-15:00; empty = closed)</small></h3>
{_days(fields, 'oh.')}
<div class="sticky"><button type="submit" class="primary">Simpan &amp; terbitkan menu
<span class="en">(save &amp; publish)</span></button></div></form>"""
