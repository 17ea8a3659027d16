"""What the bot says, taken from its catalog: a test looks for a key's words, not a copy of
them, so that rewording a message does not break the tests that wait for it."""

from __future__ import annotations

import re

from bot.i18n import catalog, counted

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def said(key: str, lang: str = "es", **params: object) -> str:
    """A piece of message `key` to look for with `receives(containing=...)`: its first
    line, with the given `params` filled in; around a parameter that is not given, the
    longest stretch of that line. `said("checkin.started")` is "⏱ Listo: tienes hasta las",
    `said("alert.missed.title", alias="Ana")` the whole first line of Ana's alert."""
    if counted(lang, key) and "count" not in params:  # what every form says
        return _common(*(said(key, lang, **params, count=n) for n in (1, 2)))
    if counted(lang, key):
        text = catalog(lang).ngettext(key, key, int(str(params["count"])))
    else:
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


def said_of_anyone(key: str, lang: str = "es", **params: object) -> str:
    """What message `key` says about a person in every form of address (ella, él, neutral):
    for a helper that does not know how the person chose to be named."""
    forms = [said(key, lang, **params)]
    for variant in (".he", ".neutral"):
        if catalog(lang).gettext(key + variant) != key + variant:
            forms.append(said(key + variant, lang, **params))
    return _common(*forms)


def _common(first: str, *others: str) -> str:
    """The longest stretch of `first` found in each of `others`."""
    for size in range(len(first), 0, -1):
        for start in range(len(first) - size + 1):
            piece = first[start : start + size]
            if piece.strip() and all(piece in other for other in others):
                return piece.strip()
    raise ValueError("the forms of a counted message have nothing in common")
