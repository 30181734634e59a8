"""Core of the Dukcapil lobby check-in kiosk.

Nothing in this package imports Kivy: the screens are one client of the core,
the CLI and the tests are others (a test enforces it).
"""
from pathlib import Path

__version__ = "0.1.0"

#: The repository's ``assets/`` folder (fonts, the default service menu, translations).
ASSETS_DIR = Path(__file__).resolve().parent.parent / "assets"
