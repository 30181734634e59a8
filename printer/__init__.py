"""Queue slips: layout, ESC/POS rendering, printer devices and the print worker.

The package is split the way a print travels:

- :mod:`printer.blocks`   the layout model (text lines, rules, QR, cut) and line wrapping
- :mod:`printer.slip`     pure: a :class:`kiosk.models.Ticket` -> blocks -> ESC/POS bytes or PNG
- :mod:`printer.status`   DLE EOT status parsing and transport-error classification
- :mod:`printer.devices`  one class per transport (usb, serial, network, file, dummy)
- :mod:`printer.worker`   the one print thread: a connection per job, deadlines, results

Nothing here imports Kivy; results reach the screens through the caller's
``on_result`` callback, which runs on the print thread.
"""
