"""Write a .po catalog from a two-column text file: `key<TAB>text`, `\\n` for new lines.

Developer tool: `python -m bot.i18n.build_catalogs es /tmp/es.txt`. The .po files are the
source of truth afterwards; edit them directly or regenerate.
"""

from __future__ import annotations

import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.i18n import DOMAIN, LOCALES


def build(language: str, source: str) -> None:
    catalog = Catalog(locale=language, domain=DOMAIN, project="Compañera")
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                key, text = line.rstrip("\n").split("\t", 1)
                catalog.add(key, text.replace("\\n", "\n"))
    target = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as po:
        write_po(po, catalog, width=99, omit_header=False)


if __name__ == "__main__":
    build(sys.argv[1], sys.argv[2])
