"""Every string users read has a Chinese translation, and the same words mean one thing.

Django merges every app's catalogue into one, so an English string translated two ways in
two apps shows only one of them everywhere. A string that needs a different Chinese word
in one place must carry a context (pgettext) there.
"""

from collections import defaultdict
from pathlib import Path

import polib

from apps.core.i18n import po_files

ROOT = Path(__file__).resolve().parent.parent


def _catalogues():
    return [(path, polib.pofile(str(path))) for path in po_files() if "zh_Hans" in str(path)]


def test_every_catalogue_is_fully_translated():
    missing = [
        f"{path.relative_to(ROOT)}: {entry.msgid!r}"
        for path, po in _catalogues()
        for entry in po.untranslated_entries() + po.fuzzy_entries()
    ]
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_the_same_english_string_has_one_chinese_translation():
    seen = defaultdict(dict)
    for path, po in _catalogues():
        for entry in po.translated_entries():
            seen[(entry.msgctxt, entry.msgid)][str(path.relative_to(ROOT))] = entry.msgstr or str(
                entry.msgstr_plural
            )
    clashes = [
        f"{msgid!r} (context {ctx!r}): {by_file}"
        for (ctx, msgid), by_file in sorted(seen.items(), key=lambda kv: str(kv[0]))
        if len(set(by_file.values())) > 1
    ]
    assert not clashes, "translated differently in different apps:\n" + "\n".join(clashes)


def test_our_translations_win_over_the_libraries():
    """Django lets the first installed app's catalogue win: ours must not be hidden by a library's."""
    from django.utils import translation

    hidden = []
    with translation.override("zh-hans"):
        for path, po in _catalogues():
            for entry in po.translated_entries():
                if entry.msgid_plural:
                    continue
                if entry.msgctxt:
                    shown = translation.pgettext(entry.msgctxt, entry.msgid)
                else:
                    shown = translation.gettext(entry.msgid)
                if shown != entry.msgstr:
                    hidden.append(
                        f"{path.relative_to(ROOT)}: {entry.msgid!r} shows {shown!r}, not {entry.msgstr!r}"
                    )
    assert not hidden, "\n".join(hidden)
