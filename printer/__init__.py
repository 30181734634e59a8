"""Queue slips: layout, ESC/POS rendering, printer devices and the print worker.

The package is split the way a print travels:

- :mod:`printer.blocks`    the layout model (text lines, rules, QR, cut), paper geometry, wrapping
- :mod:`printer.slip`      pure: a :class:`kiosk.models.Ticket` -> blocks -> ESC/POS bytes
- :mod:`printer.preview`   the same blocks as a PNG to scale, and the paper length they use
- :mod:`printer.profiles`  what a python-escpos profile can print (QR, cutter, columns)
- :mod:`printer.status`    DLE EOT status parsing and transport errors in words for staff
- :mod:`printer.transport` the base of every transport; :mod:`printer.devices` one class per
  ``[printer] type`` (usb, serial, network, dummy), :mod:`printer.spool` the file printer
- :mod:`printer.jobs`      what goes in and comes out: PrintJob, PrintResult, PrinterStatus
- :mod:`printer.worker`    the one print thread: a connection per job, deadlines, results

Nothing here imports Kivy; results reach the screens through the caller's
``on_result`` callback, which runs on the print thread.
"""

import os as _os

from ._escpos_cache import use_shared_capabilities_cache as _use_shared_cache

_use_shared_cache()
