"""Warnings ``kiosk check`` prints about settings that work but risk a fault (issue 14).

Unlike :func:`kiosk.config.load_config`, which refuses a kiosk.ini it cannot
run on, these are advice: the kiosk runs, and each line says what goes wrong
and how to fix it.
"""
from __future__ import annotations

import os
import stat

#: permission bits that let the group or others read kiosk.ini (and its server token)
OTHERS_READ = stat.S_IRGRP | stat.S_IROTH  # 0o044


def config_warnings(cfg) -> list[str]:
    """Plain-English warnings (file, section, key and fix) for :class:`kiosk.config.Config`.

    - ``[printer] timeout_s`` larger than ``job_deadline_s``: a slow printer is
      given up at the deadline before its own timeout ends (the job is then
      dead: nothing reaches the printer later);
    - ``[server] verify_tls = no``: anyone on the network can pose as the
      office server and receive the token and check-ins;
    - a ``[server] token`` in a kiosk.ini the group or others can read
      (``mode & 0o044``);
    - ``[server] figures_fresh_s`` shorter than two sync intervals (``interval_s``): the
      server's waiting figures go stale between syncs, so residents are often told the
      estimated wait is not available.

    Never raises; an unreadable file mode is simply not judged.
    """
    shown = cfg.path or "kiosk.ini"
    out = []
    printer, server = cfg.printer, cfg.server
    if printer.timeout_s > printer.job_deadline_s:
        out.append(f"{shown}: [printer] timeout_s = {printer.timeout_s:g} is longer than "
                   f"job_deadline_s = {printer.job_deadline_s:g}: a slow printer is given up "
                   f"at {printer.job_deadline_s:g} s, before its own timeout, and the slip is "
                   f"not printed. Make timeout_s at most job_deadline_s (defaults 3 and 10).")
    if server.url and not server.verify_tls:
        out.append(f"{shown}: [server] verify_tls = no: the kiosk does not check the office "
                   f"server's certificate, so anyone on the network can pose as the server and "
                   f"receive the kiosk token and check-ins. Set verify_tls = yes and put the "
                   f"office CA's PEM file in ca_bundle.")
    if server.url and server.figures_fresh_s < 2 * server.interval_s:
        out.append(f"{shown}: [server] figures_fresh_s = {server.figures_fresh_s:g} is shorter "
                   f"than two sync intervals (interval_s = {server.interval_s:g}): the office "
                   f"server's waiting figures go stale between syncs and residents are often "
                   f"told the estimated wait is not available. Make figures_fresh_s at least "
                   f"{2 * server.interval_s:g} (default 600 with interval_s 30).")
    if server.token and cfg.path is not None:
        try:
            mode = os.stat(cfg.path).st_mode
        except OSError:
            mode = 0
        if mode & OTHERS_READ:
            out.append(f"{shown}: [server] token is in a file other users can read (mode "
                       f"{stat.S_IMODE(mode):04o}). Run: chmod 600 {shown} (owned by the "
                       f"user the kiosk runs as).")
    return out
