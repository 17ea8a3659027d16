"""docs/threat-model.md stays checked: each claim of its table names tests that exist and
run, every test the text names by path exists, and no claim is left marked *(no test)* outside
a known gap."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
THREAT_MODEL = ROOT / "docs" / "threat-model.md"
TABLE_HEADING = "## Claims and their tests"

CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
NAMED = re.compile(r"((?:tests/[\w/]+/)?test_\w+\.py)?(?:::)?(test_\w+)?")
NO_TEST = re.compile(r"\bno test\b", re.IGNORECASE)
NOT_COLLECTED = ("tests/bench/",)  # pyproject.toml's norecursedirs: pytest never looks there
KNOWN_GAP = re.compile(r"\*\*Known gaps?:?\*\*:?")


def text() -> str:
    return THREAT_MODEL.read_text(encoding="utf-8")


def table_rows(document: str) -> list[tuple[str, str]]:
    """The (claim, tests) cells of each row of the claims table."""
    _, found, rest = document.partition(f"\n{TABLE_HEADING}\n")
    assert found, f"docs/threat-model.md has no '{TABLE_HEADING}' section"
    section = rest.split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or re.match(r"^\|[\s|:-]+\|$", line):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells == ["claim", "test"]:
            continue
        assert len(cells) == 2, f"a row of the claims table is not `| claim | test |`: {line}"
        rows.append((cells[0], cells[1]))
    return rows


def is_skip(node: ast.expr) -> bool:
    """`pytest.mark.skip` or `pytest.mark.skip(...)`: a skip with no condition."""
    target = node.func if isinstance(node, ast.Call) else node
    return (
        isinstance(target, ast.Attribute)
        and target.attr == "skip"
        and (isinstance(target.value, ast.Attribute) and target.value.attr == "mark")
    )


def skips_first(body: list[ast.stmt]) -> bool:
    """The function calls pytest.skip() before anything that could decide otherwise."""
    for statement in body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # the docstring
        call = statement.value if isinstance(statement, ast.Expr) else None
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "skip"
        )
    return False


@cache
def runnable_tests(path: str, root: Path = ROOT) -> frozenset[str]:
    """The tests pytest collects from a file and does not skip unconditionally."""
    file = root / path
    collected = file.name.startswith("test_") and not path.startswith(NOT_COLLECTED)
    if not (file.is_file() and collected):
        return frozenset()
    tree = ast.parse(file.read_text(encoding="utf-8"))
    marks: list[ast.expr] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            value = node.value
            marks.extend(value.elts if isinstance(value, ast.List | ast.Tuple) else [value])
    if any(is_skip(mark) for mark in marks):
        return frozenset()
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(node)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            if any(is_skip(d) for d in node.decorator_list):
                continue
            functions.extend(
                n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return frozenset(
        f.name
        for f in functions
        if f.name.startswith("test_")
        and not any(is_skip(d) for d in f.decorator_list)
        and not skips_first(f.body)
    )


def missing(citations: list[tuple[str, str]]) -> list[str]:
    return [f"{path}::{name}" for path, name in citations if name not in runnable_tests(path)]


def test_the_claims_table_has_rows_each_with_a_test() -> None:
    rows = table_rows(text())
    assert len(rows) >= 20, "the claims table is nearly empty"
    untested = [claim for claim, tests in rows if not CITED.search(tests)]
    assert not untested, f"claims with no `tests/...py::test_name`: {untested}"
    claims = [claim for claim, _ in rows]
    repeated = {claim for claim in claims if claims.count(claim) > 1}
    assert not repeated, f"claims listed twice: {repeated}"


def test_every_test_the_table_cites_exists_and_runs() -> None:
    cited = [c for _, tests in table_rows(text()) for c in CITED.findall(tests)]
    assert not missing(cited), f"the claims table cites tests that do not run: {missing(cited)}"


def named_tests(document: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The tests the text names, read as its preamble says: `file::test`, in tests/e2e/
    unless a path is given; `::test` alone in the file named just before. Also the bare
    `test_name`s, which must be found in some test file."""
    cited: list[tuple[str, str]] = []
    bare: list[str] = []
    current: str | None = None
    for span in re.findall(r"`([^`\n]+)`", document):
        match = NAMED.fullmatch(span)
        if match is None:
            continue
        file, name = match.groups()
        if file:
            current = file if file.startswith("tests/") else f"tests/e2e/{file}"
        if name and (file or span.startswith("::")):
            cited.append((current or "", name))
        elif name:
            bare.append(name)
    return cited, bare


def every_runnable_test() -> set[str]:
    files = (ROOT / "tests").rglob("test_*.py")
    return {name for f in files for name in runnable_tests(str(f.relative_to(ROOT)))}


def test_every_test_the_text_names_exists_and_runs() -> None:
    cited, bare = named_tests(text())
    assert len(cited) > 50
    files = {m.group(1) for m in re.finditer(r"`(tests/[\w/]*test_\w+\.py)`", text())}
    broken = missing(cited) + sorted(set(bare) - every_runnable_test())
    broken += sorted(f for f in files if not runnable_tests(f))
    assert not broken, f"docs/threat-model.md names tests that do not run: {broken}"


def known_gap_spans(section: str) -> list[tuple[int, int]]:
    """From each **Known gap(s):** to the end of its paragraph or list."""
    spans = []
    for match in KNOWN_GAP.finditer(section):
        end = match.end()
        while True:
            brk = section.find("\n\n", end)
            if brk == -1:
                end = len(section)
                break
            end = brk
            after = section[brk + 2 :]
            if not after.startswith("- "):
                break
            end = brk + 2
        spans.append((match.start(), end))
    return spans


def unlisted_no_test_markers(document: str) -> list[str]:
    """The lines marked *(no test)* outside a known gap; the preamble (which explains the
    marker) and the claims table itself are not claims."""
    body = document.split("\n## ", 1)[1].split(f"\n{TABLE_HEADING}\n", 1)[0]
    spans = known_gap_spans(body)
    found = []
    for match in NO_TEST.finditer(body):
        if not any(start <= match.start() < end for start, end in spans):
            line_start = body.rfind("\n", 0, match.start()) + 1
            line_end = body.find("\n", match.start())
            found.append(body[line_start:line_end].strip())
    return found


def test_no_claim_is_marked_untested_unless_it_is_a_known_gap() -> None:
    stray = unlisted_no_test_markers(text())
    assert not stray, f"claims marked 'no test' outside a known gap: {stray}"


# The checks above must be able to fail: each is run here on a document made to break it.

SAMPLE = """# Title

A claim marked *(no test)* is explained here.

## 1. Someone

**Can learn:** something (`tests/test_threat_model.py::test_the_checker_can_fail`).

**Known gaps:**
- one thing *(no test)*
- another thing *(no test)*

Plain text again.

{extra}

## Claims and their tests

| claim | test |
|---|---|
| §1 something | {cite} |
"""


def test_the_texts_short_names_are_read_as_its_preamble_says() -> None:
    document = (
        "`test_sos.py::test_a`, `::test_b`; `tests/core/test_x.py::test_c`, `::test_d`, "
        "`test_e`, `storage/updates.py`, `tests/test_cli.py`"
    )
    cited, bare = named_tests(document)
    assert cited == [
        ("tests/e2e/test_sos.py", "test_a"),
        ("tests/e2e/test_sos.py", "test_b"),
        ("tests/core/test_x.py", "test_c"),
        ("tests/core/test_x.py", "test_d"),
    ]
    assert bare == ["test_e"]


@pytest.mark.parametrize(
    ("cite", "broken"),
    [
        ("`tests/test_threat_model.py::test_the_checker_can_fail`", False),
        ("`tests/test_threat_model.py::test_renamed_away`", True),
        ("`tests/test_nowhere.py::test_the_checker_can_fail`", True),
        ("`tests/test_threat_model.py::known_gap_spans`", True),  # not a test
        ("`tests/e2e/test_crash.py::test_deep_thought`", True),
        ("`tests/bench/bench_delivery.py::test_the_checker_can_fail`", True),
    ],
)
def test_the_checker_can_fail(cite: str, broken: bool) -> None:
    rows = table_rows(SAMPLE.format(cite=cite, extra=""))
    cited = [c for _, tests in rows for c in CITED.findall(tests)]
    assert bool(missing(cited)) is broken


def test_a_skipped_test_does_not_count(tmp_path: Path) -> None:
    source = (
        "import pytest\n\n@pytest.mark.skip\ndef test_a(): ...\n\n"
        "@pytest.mark.skip(reason='x')\ndef test_b(): ...\n\n"
        "def test_c():\n    '''Doc.'''\n    pytest.skip('no')\n\n"
        "@pytest.mark.skipif(True, reason='x')\ndef test_d(): ...\n\n"
        "def test_e():\n    if False:\n        pytest.skip('no')\n"
    )
    sample = tmp_path / "tests" / "test_sample.py"
    sample.parent.mkdir()
    sample.write_text(source, encoding="utf-8")
    assert runnable_tests("tests/test_sample.py", tmp_path) == {"test_d", "test_e"}
    skipped = tmp_path / "tests" / "test_skipped.py"
    skipped.write_text("import pytest\npytestmark = [pytest.mark.skip]\n" + source, "utf-8")
    assert runnable_tests("tests/test_skipped.py", tmp_path) == frozenset()


def test_a_stray_no_test_marker_is_found() -> None:
    assert unlisted_no_test_markers(SAMPLE.format(cite="", extra="")) == []
    stray = SAMPLE.format(cite="", extra="A claim nobody checks *(no test)*.")
    assert unlisted_no_test_markers(stray) == ["A claim nobody checks *(no test)*."]
