"""Kivy screens of the lobby kiosk: one .py (behaviour) + one .kv (layout) per screen.

Importing this package does not import Kivy; :mod:`screens.app` does.
"""
