"""The lobby kiosk assembled: the composition root and the commands, above everything else.

Layers, each importing only those below it (``tests/test_layering.py`` checks it)::

    lobby     the ``kiosk`` command (:mod:`lobby.cli`), the runtime that wires the core,
              printer and sync together (:mod:`lobby.runtime`), run / selftest /
              screenshots (:mod:`lobby.launch`), ``kiosk sync --once`` (:mod:`lobby.sync_once`)
    screens   the Kivy screens
    printer   slips, devices, the print worker and the slip service
    kiosk     the core: clock, config, menu, store, desks, sync (no Kivy, no printer)

The name: this is the lobby kiosk as a whole, built from its parts (the App class is
``LobbyApp``); ``kiosk`` is already the core's name and stays the command's.
"""
