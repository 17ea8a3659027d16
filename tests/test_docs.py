"""The docs stay true: every setting is documented and every documented one exists, every
relative link leads somewhere, and the README stays short enough to read to the end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import AliasChoices, AliasPath
from pydantic.fields import FieldInfo

from bot.config import Settings

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
CONFIGURATION = DOCS / "configuration.md"
MARKDOWN = [README, *sorted(DOCS.glob("*.md"))]
README_MAX_LINES = 200

# Documented under "Other variables": read by Docker Compose, deploy/backup.sh or the
# tests, not the bot.
NOT_SETTINGS = {
    "COMPANERA_DOMAIN",
    "POSTGRES_PASSWORD",
    "COMPANERA_TEST_DATABASE_URL",
    "COMPANERA_BACKUP_DIR",
    "COMPANERA_BACKUP_RECIPIENTS",
    "COMPANERA_BACKUP_KEEP_DAYS",
    "COMPANERA_BACKUP_COMPOSE_DIR",
}

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|(.*)\|\s*$")


def env_names(name: str, field: FieldInfo) -> list[str]:
    """The environment variables a field is read from, the first being its own name, as
    pydantic-settings reads them: validation_alias, else alias, else env_prefix + name."""
    alias = field.validation_alias or field.alias
    if alias is None:
        prefix = Settings.model_config.get("env_prefix", "")
        return [(prefix + name).upper()]
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
    names = []
    for choice in choices:
        first = choice.path[0] if isinstance(choice, AliasPath) else choice
        names.append(str(first).upper())
    return names


def settings() -> dict[str, list[str]]:
    return {name: env_names(name, field) for name, field in Settings.model_fields.items()}


def sections(path: Path) -> dict[str, str]:
    """The text under each `## ` heading, code blocks left out."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def documented(section: str) -> dict[str, list[str]]:
    """The variables of a section's table rows, each with its other cells."""
    rows: dict[str, list[str]] = {}
    for line in sections(CONFIGURATION)[section].splitlines():
        match = ROW.match(line)
        if match:
            name, rest = match.groups()
            assert name not in rows, f"{name} is documented twice in {section}"
            rows[name] = [cell.strip() for cell in rest.split("|")]
    return rows


def test_every_setting_is_documented_by_its_variable() -> None:
    table = documented("Settings")
    missing = [names[0] for names in settings().values() if not set(names) & set(table)]
    assert not missing, f"docs/configuration.md does not document {missing}"


def test_every_documented_setting_exists() -> None:
    known = {name for names in settings().values() for name in names}
    unknown = set(documented("Settings")) - known
    assert not unknown, f"docs/configuration.md documents {sorted(unknown)}: not in Settings"


def test_the_other_variables_are_the_ones_listed_here() -> None:
    others = set(documented("Other variables"))
    assert others == NOT_SETTINGS
    known = {name for names in settings().values() for name in names}
    assert not others & known, "a setting of bot/config.py belongs in the Settings table"


def test_each_documented_default_is_the_codes() -> None:
    table = documented("Settings")
    for name, field in Settings.model_fields.items():
        names, default = env_names(name, field), field.default
        row = next((table[n] for n in names if n in table), None)
        if row is None or default is None:
            continue
        assert f"`{default}`" in row[-1], f"{names[0]}: the default is {default}, not {row[-1]}"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)}


def links(path: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(page: Path) -> None:
    broken = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        destination = (page.parent / file).resolve() if file else page
        if not destination.exists():
            broken.append(target)
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(target)
    assert not broken, f"{page.name}: links to nowhere: {broken}"


def test_the_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"


def test_the_readme_keeps_the_test_command_that_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- test-command -->\n```\n(.+?)\n```\n<!-- /test-command -->", text)
    assert block is not None, "README.md lost the test-command markers that .ci/run reads"
    assert "python -m pytest" in block.group(1)
