"""python-escpos's capability cache, shared between processes without a race.

python-escpos parses its ``capabilities.json`` (~0.5 s) and pickles the result into
``$ESCPOS_CAPABILITIES_PICKLE_DIR`` (a new temp folder per process when unset). It writes
that pickle in place, so two processes starting at once with one shared folder (the kiosk
and ``kiosk check``, or parallel test workers) can read a half-written file and die with
``EOFError``. Here the shared folder is used only when its pickle is already complete and
current; otherwise this process lets escpos write into a private folder beside it and then
renames the finished pickle into place (``os.replace``: atomic on one file system).
"""
import os
import platform
import shutil
import tempfile
from importlib import resources

import platformdirs

_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def _capabilities_file() -> str:
    return str(resources.files("escpos") / "capabilities.json")


def use_shared_capabilities_cache() -> None:
    """Point python-escpos at a complete, current capability pickle, building it once.

    Leaves an ``ESCPOS_CAPABILITIES_PICKLE_DIR`` set by the caller untouched. Never
    raises for a cache problem: at worst escpos parses its JSON again (slower start).
    """
    if _ENV in os.environ:
        return
    shared = platformdirs.user_cache_dir("dukcapil-kiosk", appauthor=False)
    name = f"{platform.python_version()}.capabilities.pickle"
    try:
        os.makedirs(shared, exist_ok=True)
        pickled = os.path.join(shared, name)
        if (os.path.exists(pickled)
                and os.path.getmtime(pickled) >= os.path.getmtime(_capabilities_file())):
            os.environ[_ENV] = shared
            return
        private = tempfile.mkdtemp(prefix=".escpos-", dir=shared)
    except OSError:
        os.environ[_ENV] = tempfile.mkdtemp(prefix="escpos-")
        return
    os.environ[_ENV] = private
    try:
        import escpos.capabilities  # noqa: F401  (writes the pickle into ``private``)
        os.replace(os.path.join(private, name), os.path.join(shared, name))
    except (OSError, ImportError):
        pass
    finally:
        shutil.rmtree(private, ignore_errors=True)
        os.environ[_ENV] = shared
