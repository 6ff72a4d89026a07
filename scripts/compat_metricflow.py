"""MetricFlow's example semantic manifests into a report of what our loader accepts and rejects.

The script installs ``metricflow`` from the package index into a throwaway virtualenv, finds the
example manifests that ship inside the installed packages, and runs each one through this
repository's ``load_project`` and ``compile_project``. Nothing is copied into the repository:
the manifests are read from the virtualenv and copied only into temporary folders.

Usage::

    python scripts/compat_metricflow.py [--keep-venv DIR] [--output docs/compatibility.md]

It exits 0 whenever a report was written, whatever the manifests' results, and 1 when it cannot
run (the installation failed, or no manifest was found).
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from semantic_layer.compiler import compile_project
from semantic_layer.errors import Location, UserError
from semantic_layer.profiles import default_target
from semantic_layer.render.dialects import get_dialect
from semantic_layer.validate.issues import Issue, Level, ProjectInvalid
from semantic_layer.workspace import load_project

PACKAGE = "metricflow"
# Packages of the virtualenv searched for manifests: MetricFlow's own, and the interfaces
# package that older MetricFlow releases depend on.
SEARCHED_PREFIXES = ("metricflow", "dbt_semantic_interfaces")
YAML_SUFFIXES = (".yaml", ".yml")
SINGULAR_TO_LIST = {
    "semantic_model": "semantic_models",
    "metric": "metrics",
    "saved_query": "saved_queries",
}
DEFINITION_KEYS = set(SINGULAR_TO_LIST) | set(SINGULAR_TO_LIST.values())
PROJECT_CONFIG_KEY = "project_configuration"
STUB_SQL = "select 1 as x\n"
MAX_PRUNING_ROUNDS = 20
_TOP_KEY = re.compile(r"^([a-z_]+):\s*(#.*)?$")
_DOC_SUFFIX = re.compile(r"\.d\d+(?=\.ya?ml$)")
_REF = re.compile(r"""ref\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)""")

# The first pattern that matches an issue's message names its category; ``{0}`` is the
# pattern's first group. Order matters: specific patterns come before general ones.
CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("not supported yet: {0} metrics", re.compile(r"(cumulative|conversion) metrics are not")),
    ("not supported yet: {0}", re.compile(r"'(\w+)' is not supported yet")),
    ("not supported yet: {0}() in filters", re.compile(r"(\w+)\(.*\) in filters is not supp")),
    ("saved query without metrics", re.compile(r"needs at least one metric")),
    ("unknown key: {0}", re.compile(r"unknown key '(\w+)'")),
    ("name rule", re.compile(r"is not a valid name")),
    ("grain not supported: {0}", re.compile(r"'time_granularity' is '(\w+)', which is not")),
    ("grain finer than recorded", re.compile(r"is recorded at \w+ grain, so it cannot be read")),
    ("window unit not supported", re.compile(r"window '.*' must read like")),
    ("time granularity", re.compile(r"granularity|grain", re.IGNORECASE)),
    ("YAML structure", re.compile(r"YAML syntax error|written twice|must be a mapping")),
    ("filter", re.compile(r"filter|Dimension\(|TimeDimension\(|Entity\(|where", re.IGNORECASE)),
    ("join path", re.compile(r"join|entity path|reachable|ambiguous", re.IGNORECASE)),
    ("missing reference", re.compile(r"is not defined|not declared|names no")),
    ("internal error", re.compile(r"^internal error")),
)


@dataclass(frozen=True)
class Manifest:
    """One example manifest: a folder of YAML files inside an installed package."""

    name: str
    root: Path
    files: tuple[Path, ...]


@dataclass(frozen=True)
class Finding:
    """One issue our loader or compiler reported, with its category and level."""

    category: str
    text: str
    level: Level


@dataclass
class Outcome:
    """What one load-and-compile run of a project folder produced."""

    loads: bool
    compiles: bool
    issues: list[Issue] = field(default_factory=list)
    objects: int = 0
    internal_error: str | None = None


@dataclass
class Result:
    """Everything the report says about one manifest."""

    manifest: Manifest
    counts: Counter[str]
    shipped: Outcome
    strict: Outcome
    kept_documents: int
    total_documents: int
    pruned_compiles: bool
    findings: list[Finding]
    consequences: int


# -- the throwaway virtualenv ---------------------------------------------------------------


def prepare_venv(directory: Path) -> tuple[Path, str]:
    """Create (or reuse) a virtualenv in ``directory`` with MetricFlow installed.

    Returns:
        The virtualenv's site-packages folder and the installed MetricFlow version.

    Raises:
        RuntimeError: the virtualenv or the installation failed.
    """
    python = directory / "bin" / "python"
    if not python.exists():
        _run([sys.executable, "-m", "venv", str(directory)], "creating the virtualenv")
    _run([str(python), "-m", "pip", "install", "--quiet", PACKAGE], f"pip install {PACKAGE}")

    probe = (
        "import importlib.metadata, sysconfig; "
        f"print(sysconfig.get_paths()['purelib']); print(importlib.metadata.version('{PACKAGE}'))"
    )
    site_packages, version = _run([str(python), "-c", probe], "reading the install").split()
    return Path(site_packages), version


def _run(command: list[str], step: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


# -- finding the manifests ------------------------------------------------------------------


def searched_packages(site_packages: Path) -> list[Path]:
    """The installed package folders that may ship example manifests."""
    return sorted(
        path
        for path in site_packages.iterdir()
        if path.is_dir()
        and path.name.startswith(SEARCHED_PREFIXES)
        and not path.name.endswith(".dist-info")
    )


def find_manifests(packages: list[Path]) -> list[Manifest]:
    """Group every YAML file holding definitions by its manifest folder.

    A manifest folder is the nearest one holding a ``project_configuration`` file; a file with
    no such folder above it (inside its package) is a manifest of its own folder.
    """
    groups: dict[Path, list[Path]] = {}
    for package in packages:
        for file in _yaml_files(package):
            if _top_keys(file) & DEFINITION_KEYS:
                groups.setdefault(_manifest_root(file, package), []).append(file)

    manifests = []
    for root, files in sorted(groups.items()):
        configs = [f for f in _yaml_files(root) if PROJECT_CONFIG_KEY in _top_keys(f)]
        every = sorted(set(files) | set(configs))
        manifests.append(Manifest(root.name, root, tuple(every)))
    return manifests


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in YAML_SUFFIXES)


def _manifest_root(file: Path, package: Path) -> Path:
    for folder in file.parents:
        if any(p.stem == PROJECT_CONFIG_KEY for p in folder.glob("*.y*ml")):
            return folder
        if folder == package:
            break
    return file.parent


def _top_keys(file: Path) -> set[str]:
    return {key for document in split_documents(file) for key in _document_keys(document)}


# -- reading MetricFlow's file layout -------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One YAML document of a file: its lines and the 0-based line where it starts."""

    start: int
    lines: tuple[str, ...]


def split_documents(file: Path) -> list[Document]:
    """The documents of ``file``, split at ``---`` lines, each keeping its first line number."""
    lines = file.read_text(encoding="utf-8").splitlines()
    starts = [0] + [i for i, line in enumerate(lines) if line.rstrip() == "---" and i > 0]
    bounds = zip(starts, starts[1:] + [len(lines)], strict=True)
    return [Document(start, tuple(lines[start:end])) for start, end in bounds]


def _document_keys(document: Document) -> list[str]:
    """The top-level keys of a document, in order, as written (repeats included)."""
    return [found.group(1) for line in document.lines if (found := _TOP_KEY.match(line))]


def count_objects(manifest: Manifest) -> Counter[str]:
    """How many semantic models, metrics and saved queries MetricFlow's files define."""
    counts: Counter[str] = Counter()
    for file in manifest.files:
        for document in split_documents(file):
            for key in _document_keys(document):
                if key in SINGULAR_TO_LIST:
                    counts[SINGULAR_TO_LIST[key]] += 1
                elif key in DEFINITION_KEYS:
                    counts[key] += len(_parsed(document).get(key) or [])
    return counts


def _parsed(document: Document) -> dict:  # type: ignore[type-arg]
    try:
        data = yaml.safe_load("\n".join(document.lines))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def translate(document: Document) -> list[str] | None:
    """One MetricFlow document rewritten in the dbt layout our loader reads, line for line.

    ``semantic_model:`` becomes a one-item ``semantic_models:`` list (likewise metrics and saved
    queries), and a semantic model's ``node_relation`` becomes ``model: ref('<alias>')``. Every
    other line is kept, so line numbers in messages are those of the shipped file; a project
    configuration is kept as it is. Returns None for any other document.
    """
    key = next(iter(_document_keys(document)), None)
    if key not in SINGULAR_TO_LIST:
        keep = key in DEFINITION_KEYS or key == PROJECT_CONFIG_KEY
        return list(document.lines) if keep else None

    lines = list(document.lines)
    if key == "semantic_model":
        lines = _node_relation_to_ref(lines, _parsed(document).get(key) or {})
    heads = [i for i, line in enumerate(lines) if _TOP_KEY.match(line)]
    for head in heads:
        found = _TOP_KEY.match(lines[head])
        singular = found.group(1) if found else ""
        if singular in SINGULAR_TO_LIST:
            lines[head] = f"{SINGULAR_TO_LIST[singular]}:"
            _open_list_item(lines, head + 1)
    return lines


def _open_list_item(lines: list[str], start: int) -> None:
    """Turn the first content line from ``start`` into a list item at the same column."""
    for index in range(start, len(lines)):
        body = lines[index]
        if body.strip() and not body.lstrip().startswith("#"):
            indent = len(body) - len(body.lstrip())
            lines[index] = "-" + " " * (indent - 1) + body.lstrip()
            return


def _node_relation_to_ref(lines: list[str], model: dict) -> list[str]:  # type: ignore[type-arg]
    relation = model.get("node_relation")
    if not isinstance(relation, dict) or "model" in model:
        return lines
    alias = relation.get("alias") or model.get("name")

    out = list(lines)
    for index, line in enumerate(lines):
        if line.strip() == "node_relation:":
            indent = len(line) - len(line.lstrip())
            out[index] = " " * indent + f"model: ref('{alias}')"
            for child in range(index + 1, len(lines)):
                text = lines[child]
                if text.strip() and len(text) - len(text.lstrip()) <= indent:
                    break
                out[child] = ""
            break
    return out


# -- building and checking a temporary project ----------------------------------------------


def write_project(manifest: Manifest, folder: Path, translated: bool) -> int:
    """Write ``manifest`` as a project in ``folder``, one file per document when translated.

    A split document keeps its line numbers: it is padded with blank lines and its file is
    named ``<name>.d<N>.yaml``. Every ``ref('x')`` gets a stub SQL model ``select 1 as x``.

    Returns:
        The number of definition documents written.
    """
    models = folder / "models"
    models.mkdir(parents=True)
    (folder / "sl_project.yml").write_text("name: x\nmodel-paths: [models]\n", encoding="utf-8")
    written = 0
    for file in manifest.files:
        relative = file.relative_to(manifest.root)
        if not translated:
            _write(models / relative, file.read_text(encoding="utf-8"))
            continue
        for number, document in enumerate(split_documents(file), start=1):
            lines = translate(document)
            if lines is None:
                continue
            name = relative
            if number > 1:
                name = relative.with_name(f"{relative.stem}.d{number}{relative.suffix}")
            _write(models / name, "\n" * document.start + "\n".join(lines) + "\n")
            written += 1

    for ref in sorted(_refs(models)):
        _write(models / f"{ref}.sql", STUB_SQL)
    return written


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _refs(models: Path) -> set[str]:
    texts = (file.read_text(encoding="utf-8") for file in _yaml_files(models))
    return {name for text in texts for name in _REF.findall(text)}


def check_project(folder: Path) -> Outcome:
    """Load and compile the project in ``folder`` with this repository's package."""
    outcome = Outcome(loads=False, compiles=False)
    try:
        project = load_project(folder)
        outcome.loads, outcome.issues = True, list(project.warnings)
        defined = project.manifest
        outcome.objects = len(defined.semantic_models) + len(defined.metrics)
        outcome.objects += len(defined.saved_queries)
        compile_project(project, default_target(folder, "x"), get_dialect("duckdb"))
        outcome.compiles = True
    except ProjectInvalid as invalid:
        outcome.issues += invalid.issues
    except UserError as error:
        outcome.issues.append(_issue(error.message, error))
    except Exception as error:  # noqa: BLE001 - a crash is a result to report, not to hide
        outcome.internal_error = f"{type(error).__name__}: {error}"
    return outcome


def _issue(message: str, error: UserError | None = None) -> Issue:
    """An issue for an error raised outside the gathered issues (no location: ``?``)."""
    where = error.location if error is not None and error.location else Location("?")
    return Issue(where, message)


def prune_and_retry(folder: Path, first: Outcome) -> tuple[Outcome, list[Outcome]]:
    """Remove the definition files that errors point to and run again, until it compiles.

    This finds problems that only the compiler sees, hidden behind the loader's errors.

    Returns:
        The last run, and every run after the first.
    """
    runs: list[Outcome] = []
    outcome = first
    for _ in range(MAX_PRUNING_ROUNDS):
        if outcome.compiles:
            break
        doomed = {folder / issue.location.path for issue in outcome.issues if _is_error(issue)}
        doomed = {path for path in doomed if path.is_file() and path.suffix in YAML_SUFFIXES}
        if not doomed:
            break
        for path in doomed:
            path.unlink()
        outcome = check_project(folder)
        runs.append(outcome)
    return outcome, runs


def _is_error(issue: Issue) -> bool:
    return issue.level is Level.ERROR


# -- categories -----------------------------------------------------------------------------


def categorise(message: str) -> str:
    """The category of one issue message (see CATEGORIES); ``other`` when none matches."""
    for label, pattern in CATEGORIES:
        match = pattern.search(message)
        if match:
            return label.format(*(group or "" for group in match.groups()))
    return "other"


def findings_of(
    strict: Outcome, later: list[Outcome], removed: set[str]
) -> tuple[list[Finding], int]:
    """The strict run's issues, then the new issues the pruned runs revealed.

    A later issue that names an object the pruning removed is a consequence of an earlier
    rejection: it is counted apart, not as a finding.

    Returns:
        The findings, and the number of consequences left out.
    """
    seen: set[str] = set()
    found: list[Finding] = []
    consequences = 0
    for outcome in [strict, *later]:
        issues = list(outcome.issues)
        if outcome.internal_error:
            issues.append(_issue(f"internal error: {outcome.internal_error}"))
        for issue in issues:
            if issue.message in seen:
                continue
            seen.add(issue.message)
            if outcome is not strict and _is_cascade(issue, removed):
                consequences += 1
                continue
            found.append(Finding(categorise(issue.message), _shown(issue), issue.level))
    return found, consequences


def _is_cascade(issue: Issue, removed_names: set[str]) -> bool:
    """True when the message names an object that an earlier round removed."""
    return any(name in removed_names for name in re.findall(r"'(\w+)'", issue.message))


def _shown(issue: Issue) -> str:
    """An issue as ``file:line: message``, the file named as it is in MetricFlow's package."""
    path = _DOC_SUFFIX.sub("", issue.location.path.removeprefix("models/"))
    where = f"{path}:{issue.location.line}" if issue.location.line else path
    prefix = "" if issue.level is Level.ERROR else "warning: "
    return f"{where}: {prefix}{issue.message}"


def _defined_names(folder: Path) -> set[str]:
    """Names of every object defined in the project's YAML files, as far as plain YAML reads."""
    names: set[str] = set()
    for file in _yaml_files(folder / "models"):
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            continue
        for key in SINGULAR_TO_LIST.values():
            for item in data.get(key) or [] if isinstance(data, dict) else []:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    names.add(item["name"])
                    names.update(_element_names(item))
    return names


def _element_names(model: dict) -> Iterator[str]:  # type: ignore[type-arg]
    """The names of a semantic model's measures, dimensions and entities."""
    for key in ("measures", "dimensions", "entities"):
        for element in model.get(key) or []:
            if isinstance(element, dict) and isinstance(element.get("name"), str):
                yield element["name"]


# -- one manifest ---------------------------------------------------------------------------


def check_manifest(manifest: Manifest, scratch: Path) -> Result:
    """Run ``manifest`` as shipped, then translated, then translated with rejected parts removed."""
    shipped_dir, translated_dir = scratch / "shipped", scratch / "translated"
    write_project(manifest, shipped_dir, translated=False)
    shipped = check_project(shipped_dir)

    total = write_project(manifest, translated_dir, translated=True)
    names_before = _defined_names(translated_dir)
    strict = check_project(translated_dir)
    last, later = prune_and_retry(translated_dir, strict)
    removed = names_before - _defined_names(translated_dir)

    kept = len(_yaml_files(translated_dir / "models"))
    findings, consequences = findings_of(strict, later, removed)
    return Result(
        manifest=manifest,
        counts=count_objects(manifest),
        shipped=shipped,
        strict=strict,
        kept_documents=kept,
        total_documents=total,
        pruned_compiles=last.compiles,
        findings=findings,
        consequences=consequences,
    )


# -- the report -----------------------------------------------------------------------------


def table_rows(results: list[Result]) -> list[list[str]]:
    """One row per manifest: what it defines, how each run went, errors by category."""
    rows = []
    for result in results:
        errors = Counter(f.category for f in result.findings if f.level is Level.ERROR)
        by_category = ", ".join(f"{name} {count}" for name, count in sorted(errors.items()))
        counts = [str(result.counts[key]) for key in SINGULAR_TO_LIST.values()]
        flags = ["yes" if flag else "no" for flag in (result.strict.loads, result.strict.compiles)]
        shipped, pruned = _shipped_text(result.shipped), _pruned_text(result)
        rows.append([result.manifest.name, *counts, shipped, *flags, pruned, by_category or "-"])
    return rows


HEADERS = (
    "manifest|semantic models|metrics|saved queries|as shipped|loads|compiles|"
    "compiles without rejected parts|errors by category"
).split("|")


def _shipped_text(outcome: Outcome) -> str:
    if outcome.loads:
        return f"loads, {outcome.objects} objects read"
    errors = sum(1 for issue in outcome.issues if _is_error(issue))
    return f"rejected ({errors} errors)"


def _pruned_text(result: Result) -> str:
    kept = f"{result.kept_documents}/{result.total_documents} documents kept"
    return f"yes, {kept}" if result.pruned_compiles else f"no, {kept}"


def plain_table(rows: list[list[str]]) -> str:
    """Rows as fixed-width text for the terminal."""
    widths = [max(len(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]
    rule = ["-" * width for width in widths]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [HEADERS, rule, *rows]
    ]
    return "\n".join(lines)


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + " --- |" * len(HEADERS)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def category_examples(results: list[Result], per_category: int = 3) -> dict[str, list[str]]:
    """Each category of error with its count and a few example messages, the largest first."""
    findings = [
        (result.manifest.name, finding)
        for result in results
        for finding in result.findings
        if finding.level is Level.ERROR
    ]
    counts = Counter(finding.category for _, finding in findings)
    examples: dict[str, list[str]] = {}
    for category, _ in counts.most_common():
        chosen = [f"{name}/{f.text}" for name, f in findings if f.category == category]
        examples[f"{category} ({counts[category]})"] = chosen[:per_category]
    return examples


def markdown_report(
    results: list[Result], version: str, location: str, packages: list[str], date: str
) -> str:
    """The whole report as Markdown: header, explanation, table, categories with examples."""
    parts = [
        "# Compatibility with MetricFlow's example manifests",
        "",
        f"Generated on {date} by `python scripts/compat_metricflow.py` from `metricflow "
        f"{version}` as installed from the package index. Regenerate it with the same command; "
        "do not edit it by hand.",
        "",
        *WHAT_THIS_MEANS,
        "",
        "## Where the manifests come from",
        "",
        f"The installed packages searched were {', '.join(f'`{p}`' for p in packages)}. The "
        f"manifests live in `{location}`, one folder each, in MetricFlow's own file layout. "
        "The script copies them into temporary folders only; none is kept in this repository.",
        "",
        *HOW_IT_RUNS,
        "",
        *results_section(results),
        "",
        "## As shipped, without the layout translation",
        "",
        *shipped_summary(results),
        "",
        "## Errors by category, with examples",
        "",
        *categories_section(results),
    ]
    return "\n".join(_wrapped(part) for part in parts) + "\n"


def _wrapped(text: str, width: int = 100) -> str:
    """Prose and list items folded at ``width`` columns; tables and headings left as they are."""
    if not text or text.startswith(("|", "#")):
        return text
    bullet = re.match(r"^(\s*)(- )?", text)
    indent = bullet.group(0) if bullet else ""
    rest = " " * len(indent)
    return textwrap.fill(
        text, width, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
    )


def results_section(results: list[Result]) -> list[str]:
    loads = sum(1 for result in results if result.strict.loads)
    compiles = sum(1 for result in results if result.strict.compiles)
    return [
        "## Results",
        "",
        f"{loads} of {len(results)} manifests load and {compiles} compile without change "
        "(after the layout translation).",
        "",
        markdown_table(table_rows(results)),
        "",
        f"{sum(r.consequences for r in results)} further errors of the pruned runs named an "
        "object removed in an earlier round; they are consequences and not counted above.",
    ]


def categories_section(results: list[Result]) -> list[str]:
    lines = []
    for category, examples in category_examples(results).items():
        lines.append(f"- **{category}**")
        lines += [f"  - `{example}`" for example in examples]
    findings = [finding for result in results for finding in result.findings]
    warnings = Counter(f.category for f in findings if f.level is Level.WARNING)
    if warnings:
        lines += ["", "Warnings (not errors; the project still loads):", ""]
        lines += [f"- {name}: {count}" for name, count in warnings.most_common()]
    return lines or ["No errors."]


def shipped_summary(results: list[Result]) -> list[str]:
    """Markdown lines on what the loader does with the files exactly as MetricFlow ships them."""
    loaded = [r for r in results if r.shipped.loads]
    rejected = [r for r in results if not r.shipped.loads]
    objects = sum(r.shipped.objects for r in loaded)
    warnings = sum(len(r.shipped.issues) for r in loaded)
    messages = Counter(
        re.sub(r"'[^']*'", "'...'", issue.message)
        for result in rejected
        for issue in result.shipped.issues
        if _is_error(issue)
    )
    lines = [
        f"- {len(loaded)} manifests load, reading {objects} objects in all, with {warnings} "
        f"warnings ({', '.join(r.manifest.name for r in loaded) or 'none'}).",
        f"- {len(rejected)} manifests are rejected; their errors are:",
    ]
    lines += [f"  - `{text}` ({count} times)" for text, count in messages.most_common()]
    if loaded and objects == 0 and warnings == 0:
        lines += [
            "",
            "Those that load define nothing, and nothing says so: the top-level keys "
            "`semantic_model:`, `metric:` and `saved_query:` of MetricFlow's layout are skipped "
            "without a warning.",
        ]
    return lines


WHAT_THIS_MEANS = [
    "## What this means",
    "",
    "MetricFlow, the engine behind the dbt Semantic Layer, ships a set of example semantic "
    "manifests inside its Python package; its own tests run against them. They cover most of "
    "the spec: joins over several hops, derived, ratio, cumulative and conversion metrics, "
    "time offsets, slowly changing dimensions and saved queries. Running them through this "
    "project's loader and compiler shows which parts of the spec we already honour and which "
    "we reject.",
    "",
    "Most rejections are deliberate: when a definition asks for something this project "
    "cannot compute yet (a window counted in hours, say), loading stops with a message "
    "naming the file, the line and the setting, rather "
    "than producing a view whose numbers would quietly differ from MetricFlow's. So a "
    "manifest that does not load is a list of features to build, not a crash. The categories "
    "below count those messages; the largest are the features most worth building next.",
    "",
    "Acceptance proves less than it seems. It says that a definition loads and compiles to "
    "SQL, not that the SQL returns MetricFlow's rows: the views are compiled, never run, "
    "because the examples come without data. And a setting the loader reads past without a "
    "warning cannot show up here at all.",
]

HOW_IT_RUNS = [
    "## How the run works",
    "",
    "- MetricFlow's examples write one object per YAML document (`semantic_model:`, "
    "`metric:`, `saved_query:`) and name tables with `node_relation`. This project reads the "
    "dbt layout (`semantic_models:`, `metrics:`, `saved_queries:` lists, and "
    "`model: ref('name')`). The script rewrites only that layout, line for line, so line "
    "numbers below are those of the shipped files; every other key is kept as written. The "
    "column *as shipped* shows what happens without the rewrite.",
    "- `project_configuration` files (time spine tables and custom granularities) are read "
    "as shipped: the loader reads that key in the shape dbt's semantic_manifest.json has.",
    "- Every `ref('name')` gets a stub SQL model `select 1 as x`, so missing SQL files are not "
    "counted as incompatibilities. Column names are not checked against the stubs.",
    "- *loads* runs `load_project`; *compiles* then runs `compile_project` for DuckDB, which "
    "plans every metric and every saved query.",
    "- *compiles without rejected parts* removes each document that an error points to and "
    "runs again, until the rest compiles: it shows how much of a manifest is usable today, "
    "and finds compiler errors hidden behind loader errors. Errors found that way are "
    "counted too, except errors that name an object removed in an earlier round (a metric "
    "whose input metric was removed, say): those are consequences, counted apart.",
]


# -- entry point ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keep-venv",
        type=Path,
        metavar="DIR",
        help="Create the virtualenv in DIR (or reuse it) and keep it afterwards.",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("docs/compatibility.md"),
        help="Write the Markdown report to this file (default: docs/compatibility.md).",
    )
    return parser.parse_args(argv)


def run(venv_dir: Path, scratch: Path, output: Path) -> int:
    """Install MetricFlow, check every manifest, print the table and write the report."""
    try:
        site_packages, version = prepare_venv(venv_dir)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    packages = searched_packages(site_packages)
    manifests = find_manifests(packages)
    if not manifests:
        searched = ", ".join(p.name for p in packages) or "none"
        print(f"no example manifest in {site_packages} (searched: {searched})", file=sys.stderr)
        return 1

    results = []
    for index, manifest in enumerate(manifests):
        results.append(check_manifest(manifest, scratch / f"{index:02d}_{manifest.name}"))
    location = _common_folder([m.root for m in manifests], site_packages)
    print(f"{PACKAGE} {version}; manifests in {location}\n")
    print(plain_table(table_rows(results)))

    date = datetime.date.today().isoformat()
    names = [p.name for p in packages]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(markdown_report(results, version, location, names, date), encoding="utf-8")
    print(f"\nwrote {output}")
    return 0


def _common_folder(roots: list[Path], site_packages: Path) -> str:
    common = Path(os.path.commonpath([str(root) for root in roots]))
    try:
        return f"site-packages/{common.relative_to(site_packages).as_posix()}"
    except ValueError:
        return str(common)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="compat-metricflow-") as temp:
        venv_dir = args.keep_venv.resolve() if args.keep_venv else Path(temp) / "venv"
        return run(venv_dir, Path(temp) / "projects", args.output)


if __name__ == "__main__":
    sys.exit(main())
