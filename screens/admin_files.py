"""Menu files on a USB stick: import and export (layout: admin_files.kv)."""
from __future__ import annotations

from kivy.factory import Factory

from screens.parts import AdminScreen


class FilesScreen(AdminScreen):
    """Import from / export to a USB stick: a path, the ``*.json`` files found, two actions."""

    def list_files(self, paths, admin) -> None:
        box = self.ids.files_box
        box.clear_widgets()
        self.file_rows = []
        for path in paths:
            row = Factory.StaffRow()
            row.ids.words.text = str(path)
            row.ids.button.text = "Pilih"
            row.ids.button.bind(on_release=lambda _b, p=str(path): admin.choose_file(p))
            self.file_rows.append(row)
            box.add_widget(row)
