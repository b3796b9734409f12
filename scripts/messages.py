#!/usr/bin/env python3
"""Refresh every .po file from the source (needs GNU gettext) and list what lacks a translation.

Each app keeps its own catalogue in apps/<app>/locale; locale/ holds the shared
templates and the project package.
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"


def makemessages() -> None:
    """Run makemessages once from the top: Django files each string under the nearest locale/ folder."""
    args = [sys.executable, str(MANAGE), "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"]
    for pattern in (".venv", "var", "tests", "bench", "scripts", "node_modules"):
        args += ["--ignore", pattern]
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    makemessages()
    missing = 0
    for po_path in sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po")) + sorted(
        ROOT.glob("apps/*/locale/*/LC_MESSAGES/django.po")
    ):
        po = polib.pofile(str(po_path))
        for entry in po.untranslated_entries() + po.fuzzy_entries():
            missing += 1
            print(f"{po_path.relative_to(ROOT)}: {entry.msgid!r}")
    print(f"{missing} strings need a translation")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
