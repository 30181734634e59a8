"""Every user-facing message has an English translation; Indonesian is the source."""
import ast
import re
from pathlib import Path

import pytest

from kiosk.i18n import LOCALE_DIR, _catalog

ROOT = Path(__file__).resolve().parent.parent
# tr('...') / tr("...") in screens (domain "screens"); _("...") in the slip layout ("slip").
PATTERNS = {
    "screens": (["screens/*.kv", "screens/*.py"], re.compile(r"""\btr\((['"])(.+?)\1""")),
}


def messages(globs, pattern):
    found = set()
    for g in globs:
        for path in ROOT.glob(g):
            text = path.read_text(encoding="utf-8")
            found.update(ast.literal_eval(m.group(0)[3:]) for m in pattern.finditer(text))
    return found


@pytest.mark.parametrize("domain", sorted(PATTERNS))
def test_every_message_is_translated_to_english(domain):
    globs, pattern = PATTERNS[domain]
    wanted = messages(globs, pattern)
    assert wanted, "extraction found nothing: the pattern is broken"
    _catalog.cache_clear()
    have = _catalog("en", domain)
    missing = sorted(wanted - set(have))
    assert not missing, f"add to {LOCALE_DIR}/en/LC_MESSAGES/{domain}.po: {missing}"


def test_placeholders_survive_translation():
    for domain in PATTERNS:
        for msgid, msgstr in _catalog("en", domain).items():
            assert set(re.findall(r"\{\w+\}", msgid)) == set(re.findall(r"\{\w+\}", msgstr)), msgid
