"""Docs that cannot go stale: every command, option, setting and column of the import format
is documented, and the README starts with the two commands a new user runs.

When one of these fails after you added something, document it (docs/cli.md,
docs/configuration.md or docs/import-format.md) rather than loosening the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from habitue.cli.app import app
from habitue.domain.format import ENTITIES, Entity
from habitue.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CLI_MD = DOCS / "cli.md"
CONFIGURATION_MD = DOCS / "configuration.md"
IMPORT_FORMAT_MD = DOCS / "import-format.md"
README_MD = ROOT / "README.md"
EXAMPLE_DIR = ROOT / "examples" / "venue"

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


def sections(path: Path, level: int = 3) -> dict[str, str]:
    """Heading text -> the text under it, up to the next heading of the same or a higher
    level. Headings inside fenced code blocks are ignored."""
    out: dict[str, str] = {}
    current: str | None = None
    body: list[str] = []
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else HEADING_RE.match(line)
        if match and len(match.group(1)) <= level:
            if current is not None:
                out[current] = "\n".join(body)
            current = match.group(2) if len(match.group(1)) == level else None
            body = []
        elif current is not None:
            body.append(line)
    if current is not None:
        out[current] = "\n".join(body)
    return out


# -- the command line -------------------------------------------------------------------------


def walk_commands(command, path: tuple[str, ...] = ()):
    """(path, click command) of the root and of every command and sub-command, depth first."""
    yield path, command
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        if getattr(sub, "hidden", False):
            continue
        yield from walk_commands(sub, (*path, name))


def long_flags(command) -> list[str]:
    flags = []
    for param in command.params:
        if param.param_type_name != "option" or getattr(param, "hidden", False):
            continue
        flags += [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
    return [f for f in flags if f != "--help"]


COMMANDS = list(walk_commands(typer.main.get_command(app)))


def heading_of(path: tuple[str, ...]) -> str:
    return "`" + " ".join(("habitue", *path)) + "`"


def test_the_walk_finds_the_commands():
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {"", "import", "compute", "indicators", "init"} <= paths


@pytest.mark.parametrize(
    ("path", "command"), COMMANDS, ids=[" ".join(("habitue", *p)) for p, _ in COMMANDS]
)
def test_every_command_and_option_is_documented(path, command):
    documented = sections(CLI_MD)
    heading = heading_of(path)
    assert heading in documented, f"docs/cli.md has no section '### {heading}'"
    body = documented[heading]
    missing = [flag for flag in long_flags(command) if f"`{flag}" not in body]
    assert not missing, f"the section '### {heading}' of docs/cli.md does not mention {missing}"


def test_cli_doc_has_no_section_for_a_command_that_does_not_exist():
    known = {heading_of(p) for p, _ in COMMANDS}
    stale = [h for h in sections(CLI_MD) if h.startswith("`habitue") and h not in known]
    assert not stale, f"docs/cli.md documents commands that do not exist: {stale}"


# -- settings ---------------------------------------------------------------------------------


SETTINGS = sorted(Settings.model_fields.items())


@pytest.mark.parametrize(("name", "info"), SETTINGS, ids=[n for n, _ in SETTINGS])
def test_every_setting_is_documented_with_its_default(name, info):
    documented = sections(CONFIGURATION_MD)
    variable = f"`HABITUE_{name.upper()}`"
    assert variable in documented, f"docs/configuration.md has no section '### {variable}'"
    default = info.default
    if isinstance(default, (str, int, float)) and not isinstance(default, bool):
        assert f"`{default}`" in documented[variable], (
            f"the section of {variable} in docs/configuration.md does not give its default "
            f"`{default}`"
        )


# -- the import format ------------------------------------------------------------------------


def table_rows(body: str) -> dict[str, list[str]]:
    """First cell (without backticks) -> cells, for the rows of the Markdown tables of a
    section."""
    rows = {}
    for line in body.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows[cells[0].strip("`")] = cells
    return rows


@pytest.mark.parametrize("entity", ENTITIES, ids=[e.name for e in ENTITIES])
def test_every_entity_and_field_is_documented(entity: Entity):
    documented = sections(IMPORT_FORMAT_MD)
    heading = f"`{entity.name}`"
    assert heading in documented, f"docs/import-format.md has no section '### {heading}'"
    rows = table_rows(documented[heading])
    problems = []
    for field in entity.fields:
        row = rows.get(field.name)
        if row is None:
            problems.append(f"{field.name}: no table row")
            continue
        required = len(row) > 1 and row[1].lower() == "yes"
        if required != field.required:
            problems.append(f"{field.name}: required is {field.required} in the format")
        if field.default is not None and f"`{field.default}`" not in "|".join(row):
            problems.append(f"{field.name}: default `{field.default}` not given")
        for value in field.enum:
            if f"`{value}`" not in "|".join(row):
                problems.append(f"{field.name}: value `{value}` not listed")
    extra = [n for n in rows if n not in entity.field_names and n != "column"]
    if extra:
        problems.append(f"rows for columns that are not in the format: {extra}")
    assert not problems, f"docs/import-format.md, section {heading}: " + "; ".join(problems)


def test_every_file_of_the_worked_example_is_explained():
    text = IMPORT_FORMAT_MD.read_text(encoding="utf-8")
    missing = [p.name for p in sorted(EXAMPLE_DIR.iterdir()) if f"`{p.name}`" not in text]
    assert not missing, f"docs/import-format.md does not explain examples/venue/{missing}"


# -- the README -------------------------------------------------------------------------------


def test_readme_starts_with_the_two_commands():
    lines = README_MD.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("```"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    block = "\n".join(lines[start + 1 : end])
    assert "scripts/demo" in block and "scripts/test" in block
    before = [line for line in lines[:start] if line.strip()]
    assert len(before) == 2 and before[0].startswith("# "), (
        "README.md must start with its title, a one-sentence pitch, then the two commands"
    )


def test_the_scripts_the_readme_names_exist():
    for script in ("scripts/demo", "scripts/test"):
        assert (ROOT / script).is_file(), script


# -- links ------------------------------------------------------------------------------------

LINK_RE = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    out, fenced = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else HEADING_RE.match(line)
        if match:
            out.add(slug(match.group(2)))
    return out


DOC_FILES = [README_MD, *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("doc", DOC_FILES, ids=[str(p.relative_to(ROOT)) for p in DOC_FILES])
def test_relative_links_resolve(doc: Path):
    broken = []
    for target in LINK_RE.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue  # http:, https:, mailto:
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        if not dest.exists() or (
            anchor and dest.suffix == ".md" and anchor not in anchors(dest)
        ):
            broken.append(target)
    assert not broken, f"{doc.relative_to(ROOT)}: broken links {broken}"
