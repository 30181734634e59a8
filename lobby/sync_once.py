"""``kiosk sync --once``: one sync attempt with the office server, a short report for staff,
an exit status. It composes a runtime (:mod:`lobby.runtime`), so it sits above the core."""
from __future__ import annotations

import sys

from kiosk.sync_client import SyncClient


_MENU_WORDS = {"none": "belum ada menu di server (none published)",
               "unchanged": "tidak berubah (unchanged)",
               "updated": "diperbarui dan dipasang (updated)",
               "refused": "ditolak; menu yang sekarang tetap dipakai (refused)",
               "skipped": "tidak diperiksa (skipped)"}


def sync_once_command(config, out=None) -> int:
    """``kiosk sync --once``: one sync attempt with the office server, then a short report.

    Args:
        config: :class:`kiosk.config.Config`.
        out: text stream for the report (default stdout); problems go to stderr.

    Returns the exit status: 0 when the attempt succeeded, 1 when it failed
    (the report says why; tickets stay in the outbox), 2 when ``[server] url``
    is empty. A new menu is validated and installed as the running kiosk does
    (:meth:`lobby.runtime.KioskRuntime.apply_menu`) and its ETag saved
    (``menu_etag`` setting), so the next attempt or restart gets 304. Raises
    StoreError / MenuError (exit 2 in the CLI) if the data folder or the
    current menu cannot be opened.
    """
    out = out or sys.stdout
    if not config.server.enabled:
        shown = config.path or "kiosk.ini"
        print(f"Kiosk ini bekerja luring saja (offline only): [server] url kosong di {shown}.\n"
              f"Isi [server] url (mis. https://dukcapil-kantor.lan:8443) dan [server] token "
              f"(dari `kiosk-office add-kiosk {config.kiosk.id}` di server kantor), lalu "
              f"jalankan lagi `kiosk sync --once`.", file=sys.stderr)
        return 2
    from kiosk.sync import SyncWorker
    from lobby.runtime import KioskRuntime  # not started: only its store and menu library are used
    runtime = KioskRuntime(config)

    def on_menu(raw: bytes, etag):
        runtime.apply_menu(raw, source="office server", role="office-server")
        runtime.store.set_setting("menu_etag", etag)

    client = None
    try:
        client = SyncClient(config.server, config.kiosk.id, clock=runtime.clock)
        worker = SyncWorker(client, runtime.store, on_menu=on_menu,
                            on_reply=runtime.waits.record,  # kept for the running kiosk
                            menu_version=lambda: runtime.menu.version,
                            menu_etag=runtime.store.setting("menu_etag"))
        report = worker.sync_once()
        status = worker.status()
        figures = runtime.waits.recent()
    finally:
        if client is not None:
            client.close()
        runtime.stop()
    head = "berhasil (ok)" if report.ok else "gagal (failed)"
    lines = [f"Sinkronisasi dengan {config.server.url}: {head}, {report.duration_s:.1f} detik",
             f"  Terkirim (uploaded):        {report.uploaded} tiket dalam {report.batches} "
             f"permintaan (batches)",
             f"  Belum terkirim (backlog):   {report.backlog} tiket",
             f"  Menu:                       {_MENU_WORDS.get(report.menu, report.menu)}"]
    lines.append(f"  Angka loket (figures):      {_figures_words(figures)}")
    if report.set_aside:
        lines.append(f"  Disisihkan (set aside):     {report.set_aside} tiket; server kantor "
                     f"memegang id-nya untuk kiosk lain atau dengan isi lain, tetap tersimpan "
                     f"di kiosk (id held elsewhere or with other content)")
    if status.conflict_warning:
        lines.append(f"  PERHATIAN (duplicates):     {status.conflict_warning}")
    if status.menu_error and report.menu == "refused":
        lines.append(f"  Masalah menu:               {status.menu_error}")
    if report.error:
        lines.append(f"  Gangguan (error):           {report.error}")
    print("\n".join(lines), file=out)
    return 0 if report.ok else 1


def _figures_words(figures) -> str:
    """The counter figures the reply brought, for staff: per queue waiting and open counters
    (what people ahead and the wait on the slips come from, :mod:`kiosk.waits`)."""
    if figures is None:
        return ("tidak ada; slip memberi urutan di kiosk ini tanpa perkiraan waktu (none: no "
                "counter set up, or no reply today)")
    queues = "; ".join(f"{q}: {f.waiting} menunggu, {f.counters} loket"
                       for q, f in sorted(figures.queues.items()))
    timed = ", ".join(f"{code} {median / 60:.0f} menit"
                      for code, (median, _) in sorted(figures.handling.items()))
    return queues + (f"; waktu layanan {timed}" if timed else "; waktu layanan belum ada")
