"""Staff mode: PIN entry and the staff screens (printer, paper, reprint, out of service).

Also the small status line residents see (sync mark, paper notice).
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class StaffMode:
    """Staff-side state of the app."""

    def __init__(self, app):
        self.app = app
        self.exit_allowed = False

    def open_pin(self):
        log.info("staff gesture")

    def tick(self, idle_s):
        pass

    def refresh(self):
        pass

    def resident_status(self) -> str:
        """One discreet line for residents: sync mark and paper notice."""
        rt, tr = self.app.runtime, self.app.tr
        parts = []
        if rt.sync is None:
            parts.append(tr("Mode luring (offline)"))
        else:
            st = rt.sync.status()
            parts.append(tr("Daring") if st.online else tr("Luring (offline)"))
            if st.backlog:
                parts.append(tr("{n} menunggu sinkron", n=st.backlog))
        paper = rt.printer.status().paper
        if paper in ("near_end", "out"):
            parts.append(tr("Kertas hampir habis") if paper == "near_end"
                         else tr("Kertas habis - hubungi petugas"))
        return "  |  ".join(parts)
