"""kiosk.ini for a test: a file printer and the data folder in ``tmp_path``."""


def write_ini(tmp_path, **sections):
    """Write ``tmp_path/kiosk.ini`` from keyword sections (``printer={"type": "dummy"}``)
    over the base (data in ``data/``, file printer into ``spool/``); returns its path."""
    base = {"kiosk": {"data_dir": "data"}, "printer": {"type": "file", "path": "spool"}}
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    lines = []
    for name, values in base.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {v}" for k, v in values.items()]
    path = tmp_path / "kiosk.ini"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
