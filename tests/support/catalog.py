"""What the bot says, taken from its catalog: a test looks for a key's words, not a copy of
them, so that rewording a message does not break the tests that wait for it."""

from __future__ import annotations

import re

from bot.i18n import catalog

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def said(key: str, lang: str = "es", **params: object) -> str:
    """A piece of message `key` to look for with `receives(containing=...)`: its first
    line, with the given `params` filled in; around a parameter that is not given, the
    longest stretch of that line. `said("checkin.started")` is "⏱ Listo: tienes hasta las",
    `said("alert.missed.title", alias="Ana")` the whole first line of Ana's alert."""
    text = catalog(lang).gettext(key)
    if text == key:
        raise KeyError(f"{key!r} is not in the {lang!r} catalog")
    line = text.strip().split("\n", 1)[0]
    stretches, current, position = [], "", 0
    for match in PLACEHOLDER.finditer(line):
        current += line[position : match.start()]
        name = match.group(1)
        if name in params:
            current += str(params[name])
        else:
            stretches.append(current)
            current = ""
        position = match.end()
    stretches.append(current + line[position:])
    found = max((stretch.strip() for stretch in stretches), key=len)
    if not found:
        raise ValueError(f"{key!r}: nothing to look for without its parameters")
    return found
