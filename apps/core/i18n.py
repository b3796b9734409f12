"""Compile the project's .po files without needing GNU gettext on the machine."""

from pathlib import Path

import polib
from django.conf import settings


def po_files() -> list[Path]:
    roots = [Path(p) for p in settings.LOCALE_PATHS] + sorted(
        Path(settings.BASE_DIR, "apps").glob("*/locale")
    )
    return sorted(p for root in roots for p in root.glob("*/LC_MESSAGES/*.po"))


def compile_translations() -> list[Path]:
    """Write a .mo beside every .po that is newer than its .mo; return the files written."""
    written = []
    for po_path in po_files():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written
