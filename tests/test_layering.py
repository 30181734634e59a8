"""Layers and cycles, read from the source: every import of every module of ours (local
imports inside functions included) goes down the layers, and no module reaches itself.

    lobby -> screens -> printer -> kiosk      (office -> kiosk, beside them)

kiosk (the core) imports none of printer, screens, lobby, office; printer imports no
screens or lobby; screens import no lobby. No Kivy is imported here."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: what each package may import of ours, besides itself
MAY_IMPORT = {"kiosk": set(), "printer": {"kiosk"}, "screens": {"printer", "kiosk"},
              "lobby": {"screens", "printer", "kiosk"}, "office": {"kiosk"}}


def modules(root: Path) -> dict:
    """``{dotted module name: file}`` for every .py file of our packages under ``root``."""
    found = {}
    for package in MAY_IMPORT:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict) -> set:
    """The modules of ours that module ``name`` (file ``path``) imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x, from ..errors import y
                up = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # kiosk.store.Store -> kiosk.store
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def graph(root: Path) -> dict:
    known = modules(root)
    return {name: imports(name, path, known) for name, path in known.items()}


def violations(edges: dict) -> list[str]:
    bad = []
    for name, targets in sorted(edges.items()):
        own = name.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            if other != own and other not in MAY_IMPORT[own]:
                bad.append(f"{name} imports {target} ({own} may import "
                           f"{', '.join(sorted(MAY_IMPORT[own])) or 'none of ours'})")
    return bad


def cycles(edges: dict) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(groups)


def test_every_import_goes_down_the_layers():
    edges = graph(ROOT)
    assert {"kiosk.clock", "printer.slips", "screens.app", "lobby.cli", "lobby.runtime"} <= \
        set(edges)  # the scan sees the packages
    assert violations(edges) == []


def test_no_import_cycle_among_our_modules():
    assert cycles(graph(ROOT)) == []


def test_the_kiosk_command_is_the_entry_layers_cli():
    import importlib
    import tomllib
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["kiosk"].partition(":")
    assert module.split(".")[0] == "lobby"
    assert callable(getattr(importlib.import_module(module), function))


def test_the_checks_catch_an_upward_import_and_a_cycle_hidden_in_a_function(tmp_path):
    for package in MAY_IMPORT:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "kiosk" / "a.py").write_text("def f():\n    from . import b\n")
    (tmp_path / "kiosk" / "b.py").write_text("from kiosk.a import f\n")
    (tmp_path / "kiosk" / "c.py").write_text("def g():\n    from printer.p import x\n")
    (tmp_path / "printer" / "p.py").write_text("import lobby.cli\nx = 1\n")
    (tmp_path / "lobby" / "cli.py").write_text("from screens import app\n")
    (tmp_path / "screens" / "app.py").write_text("from kiosk import a\n")
    edges = graph(tmp_path)
    assert violations(edges) == [
        "kiosk.c imports printer.p (kiosk may import none of ours)",
        "printer.p imports lobby.cli (printer may import kiosk)"]
    assert cycles(edges) == [["kiosk.a", "kiosk.b"]]
