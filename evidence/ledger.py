"""Load and check the evidence base: the source register, the source texts and the claims ledger.

Everything the book shows comes through :func:`load`, which either returns a
fully checked :class:`Evidence` or raises one :class:`EvidenceError` listing
every problem found, each naming the file, the row and the field. Nothing is
written while checking, so a failed check leaves no half-built output behind.

The checks, in order (a later stage runs only when the earlier ones pass,
because its messages would be noise otherwise):

1. files: ``datapackage.json`` and each CSV exist, are non-empty UTF-8
   without a byte-order mark;
2. headers: each CSV has exactly the columns its Table Schema names;
3. rows: types, required fields, enums, patterns, unique ids and the foreign
   key ``claims.source_id -> sources.source_id``, checked by the
   Frictionless library against ``datapackage.json``; an empty ledger;
4. sources: each file exists and still has the recorded SHA-256;
5. claims: numeric rows carry unit and qualifier and consistent bounds, every
   value and bound is stated in the claim's own quote (:func:`evidence.hedges.stated_numbers`),
   and every quote is found verbatim (see :mod:`evidence.quotes`) in its own source;
6. voices (:func:`check_all` only): every passage of ``voices.csv`` is anchored once in its source,
   passages nest without partial overlap and cover every source, and every claim's quote stands
   in a passage of the voice, mode and speaker the claim names (:mod:`evidence.voices`);
7. derived tables (:func:`check_all` only): ``typology.csv`` quotes its claims verbatim and
   ``positions.csv`` agrees with the ledger, so ``make check`` never passes data that a chapter
   would later reject.

Rows are numbered as in a spreadsheet: the header is row 1, the first data row is row 2.

Checked once per build: when the book build's full check (:func:`check_all`) passes, it records the
SHA-256 of every data file and every module of the package
(:func:`evidence.sphinxext.inputs.record_passed_check`) and names that record in ``$EVIDENCE_CHECKED``.
A chapter's kernel in that build then skips the checks of stages
1-5 for the files it reads when each of them, and each of the package's modules it has loaded, still
has the recorded digest: those exact bytes passed those exact checks. Any difference, or no record
(tests, ``make check``, a reader re-running a notebook), and every check runs. Within one process,
files that passed a check together are not checked again while their bytes are unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evidence import hedges, quotes, voices
from evidence.sphinxext import inputs

DATA_DIR = Path(os.environ.get("EVIDENCE_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))
PACKAGE_FILE = "datapackage.json"
NUMERIC_COLUMNS = ("value", "lower", "upper")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the evidence base, located as precisely as possible."""

    file: str
    message: str
    row: int | None = None
    field: str | None = None
    record: str | None = None  # the row's id, so the reader can search for it

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" ({self.record})" if self.record else ""))
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return ", ".join(where) + ": " + self.message


class EvidenceError(Exception):
    """The evidence base failed its checks; ``problems`` lists each finding."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [f"The evidence base has {len(problems)} problem(s):"]
        lines += [f"  - {problem}" for problem in problems]
        super().__init__("\n".join(lines))


CORE = ("sources", "claims")  # every chapter needs these; other tables are read when first used


class Tables(Mapping):
    """The data package's tables by resource name, typed; a table is read and checked on first use.

    Reading only what a chapter uses keeps the chapter's inputs honest: the build
    re-executes a chapter when a file it read changes, and only then.
    """

    def __init__(self, data_dir: Path, descriptor: dict, core: dict[str, pd.DataFrame]):
        self._data_dir = data_dir
        self._descriptor = descriptor
        self._loaded = dict(core)
        self._names = [r["name"] for r in descriptor["resources"]]

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(f"no table '{name}' in {_label(self._data_dir, PACKAGE_FILE)}")
        if name not in self._loaded:
            for loaded, frame in _load_resources(self._data_dir, self._descriptor, self._needed(name)).items():
                self._loaded.setdefault(loaded, frame)
        return self._loaded[name]

    def _needed(self, name: str) -> list[str]:
        """The core, ``name`` and every table its foreign keys reach: Frictionless checks a key only with its target."""
        schemas = {r["name"]: r["schema"] for r in self._descriptor["resources"]}
        needed, todo = list(CORE), [name]
        while todo:
            current = todo.pop()
            if current not in needed:
                needed.append(current)
                todo += [key["reference"].get("resource") or current for key in schemas[current].get("foreignKeys", [])]
        return needed

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclass(frozen=True)
class Evidence:
    """The checked evidence base: tables as pandas DataFrames plus the normalised source texts."""

    sources: pd.DataFrame
    claims: pd.DataFrame
    texts: dict[str, str]  # source_id -> normalised text
    descriptor: dict
    tables: Tables  # every resource of datapackage.json, by name, typed, read on first use

    def claim(self, claim_id: str) -> pd.Series:
        """The ledger row ``claim_id`` (KeyError names the id if it is not in the ledger)."""
        try:
            return self.claims.loc[claim_id]
        except KeyError:
            raise KeyError(f"claim '{claim_id}' is not in data/claims.csv") from None

    def value(self, claim_id: str) -> float:
        """The numeric value of a point claim; raises if the claim has none."""
        value = self.claim(claim_id)["value"]
        if pd.isna(value):
            raise ValueError(f"claim '{claim_id}' has no point value")
        return float(value)


def load(data_dir: Path | str | None = None) -> Evidence:
    """Check the core of the evidence base (register, source texts, ledger) and return it.

    Raises :class:`EvidenceError` listing every problem. Other tables are checked when
    first read through ``evidence.tables``; :func:`check_all` checks everything at once.
    """
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    descriptor = _read_descriptor(data_dir)
    core = _load_resources(data_dir, descriptor, list(CORE))
    texts, raw = _check_source_files(data_dir, core["sources"])
    paths = {r["name"]: data_dir / r["path"] for r in descriptor["resources"] if r["name"] in CORE}
    read = {**{data_dir / "sources" / name: content for name, content in raw.items()},
            **{path: path.read_bytes() for path in paths.values()}}
    if not _passed_before("claims", read):
        _check_claims(data_dir, core["claims"], texts)
        _note_passed("claims", read)
    return Evidence(
        sources=core["sources"].set_index("source_id", drop=False),
        claims=core["claims"].set_index("claim_id", drop=False),
        texts=texts,
        descriptor=descriptor,
        tables=Tables(data_dir, descriptor, core),
    )


def check_all(data_dir: Path | str | None = None) -> Evidence:
    """Check every file of the evidence base (what ``make check`` and the build run first)."""
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    descriptor = _read_descriptor(data_dir)
    _load_resources(data_dir, descriptor, [r["name"] for r in descriptor["resources"]])
    evidence = load(data_dir)
    for name in evidence.tables:
        evidence.tables[name]
    _check_voices(data_dir, evidence)
    _check_derived_tables(evidence)
    return evidence


def _check_voices(data_dir: Path, evidence: Evidence) -> None:
    """Stage 6: the voices table is sound, and every claim is credited to the voice that says it."""
    if "voices" not in evidence.tables:  # until the voices table is part of the package
        return
    label = _label(data_dir, "voices.csv")
    table = evidence.tables["voices"]
    passages, found = voices.resolve(table, evidence.texts)
    found += voices.structure_problems(passages, evidence.texts)
    problems = [
        Problem(label, message, row, field, f"passage_id '{table.iloc[row - 2]['passage_id']}'" if row else None)
        for row, field, message in found
    ]
    if problems:
        raise EvidenceError(problems)
    claims_label = _label(data_dir, "claims.csv")
    for position, (_, claim) in enumerate(evidence.claims.iterrows(), start=2):
        problem = voices.claim_problem(claim, passages, evidence.texts[claim["source_id"]])
        if problem:
            field, message = problem
            problems.append(Problem(claims_label, message, position, field, f"claim_id '{claim['claim_id']}'"))
    if problems:
        raise EvidenceError(problems)


_LOCATED = re.compile(r"^(?P<file>[^,]+), row (?P<row>\d+) \((?P<record>[^)]*)\), field '(?P<field>[^']+)': (?P<message>.*)$", re.S)


def _check_derived_tables(evidence: Evidence) -> None:
    """Stage 7: the coded tables the chapters build on agree with the ledger (their own checks, run here)."""
    from evidence import positions, typology  # chart code: imported only for the full check

    lines = list(typology.verbatim_problems(evidence))
    try:
        positions.positions(evidence)
    except positions.PositionsError as error:
        lines += str(error).splitlines()
    problems = []
    for line in lines:
        match = _LOCATED.match(line)
        if match:
            problems.append(Problem(match["file"], match["message"], int(match["row"]), match["field"], match["record"]))
        else:
            problems.append(Problem("data", line))
    if problems:
        raise EvidenceError(problems)


def _load_resources(data_dir: Path, descriptor: dict, names: list[str]) -> dict[str, pd.DataFrame]:
    """Read, check and type the named resources (stages 1-3 of the module docstring)."""
    resources = [r for r in descriptor["resources"] if r["name"] in names]
    texts = _read_files(data_dir, resources)
    read = {data_dir / PACKAGE_FILE: (data_dir / PACKAGE_FILE).read_bytes(),
            **{data_dir / r["path"]: texts[r["name"]].encode("utf-8") for r in resources}}
    known = _passed_before("rows", read)
    if not known:
        _check_headers(data_dir, resources, texts)
    frames = {name: _frame(text) for name, text in texts.items()}
    if not known:
        _check_rows(data_dir, {**descriptor, "resources": resources}, frames)
        _note_passed("rows", read)
    return {r["name"]: _typed(frames[r["name"]], r["schema"]) for r in resources}


def _label(data_dir: Path, name: str) -> str:
    """How a file is named in messages: relative to the project, e.g. ``data/claims.csv``."""
    return f"{data_dir.name}/{name}"


def _decode(raw: bytes, label: str, is_table: bool = True) -> tuple[str | None, Problem | None]:
    """Decode UTF-8 strictly; a failure names the line (for a CSV, also the row) and the byte that broke it."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, Problem(label, "starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start : error.start + 1].hex()
        return None, Problem(
            label,
            f"is not UTF-8: byte 0x{byte} at line {line} cannot be decoded; save the file as UTF-8",
            row=line if is_table else None,
        )


def _read_descriptor(data_dir: Path) -> dict:
    package_path = data_dir / PACKAGE_FILE
    if not package_path.is_file():
        raise EvidenceError([Problem(_label(data_dir, PACKAGE_FILE), "is missing")])
    return json.loads(package_path.read_text(encoding="utf-8"))


def _read_files(data_dir: Path, resources: list[dict]) -> dict[str, str]:
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for resource in resources:
        label = _label(data_dir, resource["path"])
        path = data_dir / resource["path"]
        if not path.is_file():
            problems.append(Problem(label, "is missing"))
            continue
        raw = path.read_bytes()
        if not raw.strip():
            problems.append(Problem(label, "is empty: it needs a header row and at least one row of data"))
            continue
        text, problem = _decode(raw, label)
        if problem:
            problems.append(problem)
        else:
            texts[resource["name"]] = text
    if problems:
        raise EvidenceError(problems)
    return texts


def _check_headers(data_dir: Path, resources: list[dict], texts: dict[str, str]) -> None:
    problems = []
    for resource in resources:
        label = _label(data_dir, resource["path"])
        header = next(csv.reader(io.StringIO(texts[resource["name"]])))
        expected = [field["name"] for field in resource["schema"]["fields"]]
        for column in expected:
            if column not in header:
                problems.append(Problem(label, "required column is missing from the header", row=1, field=column))
        for column in header:
            if column not in expected:
                problems.append(
                    Problem(
                        label,
                        "unknown column (not in the Table Schema in datapackage.json; "
                        f"expected columns: {', '.join(expected)})",
                        row=1,
                        field=column,
                    )
                )
        for column in {c for c in header if header.count(c) > 1}:
            problems.append(Problem(label, "column appears more than once in the header", row=1, field=column))
    if problems:
        raise EvidenceError(problems)


def _frame(text: str) -> pd.DataFrame:
    """All cells as strings, empty cells as empty strings: types are checked by the schema."""
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _check_rows(data_dir: Path, descriptor: dict, tables: dict[str, pd.DataFrame]) -> None:
    from frictionless import Package  # imported here: a second or so, only when checking

    problems = []
    for resource in descriptor["resources"]:
        if tables[resource["name"]].empty:
            what = "the claims ledger is empty" if resource["name"] == "claims" else "the file has no rows"
            problems.append(Problem(_label(data_dir, resource["path"]), f"{what}: only a header, no data rows"))
    if problems:
        raise EvidenceError(problems)

    package = Package(descriptor, basepath=str(data_dir))
    report = package.validate()
    id_field = {r["name"]: r["schema"]["primaryKey"][0] for r in descriptor["resources"]}
    seen = set()
    for task in report.tasks:
        name = task.name
        label = _label(data_dir, task.place if not task.place.startswith("/") else Path(task.place).name)
        for error in task.errors:
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            record = None
            if row is not None and 0 <= row - 2 < len(tables[name]):
                record = f"{id_field[name]} '{tables[name].iloc[row - 2][id_field[name]]}'"
            if error.type == "primary-key":
                continue  # the same finding as the unique-error on the key column
            if error.type == "foreign-key":
                field = error.field_names[0]
            message = _explain(error, data_dir, descriptor)
            key = (label, row, field, message)
            if key not in seen:
                seen.add(key)
                problems.append(Problem(label, message, row=row, field=field, record=record))
    for error in report.errors:  # package-level errors (e.g. a broken descriptor)
        problems.append(Problem(_label(data_dir, PACKAGE_FILE), error.message))
    if problems:
        raise EvidenceError(problems)


def _explain(error, data_dir: Path, descriptor: dict) -> str:
    """A sentence for a Frictionless error, in the words of the person fixing the CSV."""
    cell = getattr(error, "cell", None)
    if error.type == "type-error":
        field_type = error.note.split('"')[1].split("/")[0] if '"' in error.note else "valid value"
        article = "an" if field_type[0] in "aeiou" else "a"
        return f"'{cell}' is not {article} {field_type}"
    if error.type == "unique-error":
        first = error.note.rsplit(" ", 1)[-1]
        return f"duplicate value '{cell}': already used in row {first}; ids must be unique"
    if error.type == "foreign-key":
        match = re.search(r'values "(.*?)" not found in the lookup table "(.*?)" as "(.*?)"', error.note)
        value, table, field = match.groups() if match else ("?", "?", "?")
        label = next((r["path"] for r in descriptor["resources"] if r["name"] == table), table)
        what = "source id" if field == "source_id" else field.replace("_", " ")
        return f"unknown {what} '{value}': it is not a {field} in {_label(data_dir, label)}"
    if error.type == "constraint-error":
        return f"'{cell}' is not allowed here: {error.note}"
    return error.message


def _typed(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """Number and integer fields as floats (NaN when empty); the schema check has proved they parse."""
    frame = frame.copy()
    for field in schema["fields"]:
        if field["type"] in ("number", "integer"):
            frame[field["name"]] = pd.to_numeric(frame[field["name"]].replace("", None)).astype(float)
    return frame


def _check_source_files(data_dir: Path, sources: pd.DataFrame) -> tuple[dict[str, str], dict[str, bytes]]:
    """The normalised text of each source (by source_id), and each file's bytes (by file name)."""
    label = _label(data_dir, "sources.csv")
    problems, texts, raw_files = [], {}, {}
    for position, source in enumerate(sources.itertuples(index=False), start=2):
        path = data_dir / "sources" / source.file
        record = f"source_id '{source.source_id}'"
        if not path.is_file():
            problems.append(
                Problem(label, f"source file {_label(data_dir, 'sources/' + source.file)} is missing", position, "file", record)
            )
            continue
        raw = raw_files[source.file] = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != source.sha256:
            problems.append(
                Problem(
                    label,
                    f"source file {_label(data_dir, 'sources/' + source.file)} has been altered: its sha256 is "
                    f"{digest}, the register records {source.sha256}. Sources are kept as received; "
                    "if a new version is intended, update sha256 and re-check every quote.",
                    position,
                    "sha256",
                    record,
                )
            )
            continue
        # A byte-order mark is harmless in a text file: it is skipped, not an error.
        text, problem = _decode(raw.removeprefix(b"\xef\xbb\xbf"), _label(data_dir, "sources/" + source.file), False)
        if problem:
            problems.append(problem)
            continue
        texts[source.source_id] = quotes.normalise(text)
    if problems:
        raise EvidenceError(problems)
    return texts, raw_files


def _check_claims(data_dir: Path, claims: pd.DataFrame, texts: dict[str, str]) -> None:
    label = _label(data_dir, "claims.csv")
    problems = []
    for position, claim in enumerate(claims.itertuples(index=False), start=2):
        record = f"claim_id '{claim.claim_id}'"

        def add(message: str, field: str) -> None:
            problems.append(Problem(label, message, position, field, record))

        numbers = {c: getattr(claim, c) for c in NUMERIC_COLUMNS if not pd.isna(getattr(claim, c))}
        if numbers:
            for column in ("unit", "qualifier"):
                if not getattr(claim, column):
                    add(f"a numeric claim needs a {column}", column)
            if "lower" in numbers and "upper" in numbers and numbers["lower"] > numbers["upper"]:
                add(f"lower bound {numbers['lower']:g} is above upper bound {numbers['upper']:g}", "lower")
            if claim.qualifier == "range" and not ("lower" in numbers and "upper" in numbers):
                add("a 'range' claim needs both lower and upper", "qualifier")
        elif claim.unit or claim.qualifier:
            add("unit and qualifier are for numeric claims; this row has no value, lower or upper", "value")
        stated = hedges.stated_numbers(claim.quote)
        for column, figure in numbers.items():
            if not any(abs(figure - n) < 1e-9 for n in stated):
                shown = ", ".join(f"{n:g}" for n in sorted(stated)) or "none"
                add(
                    f"{figure:g} is not stated in the claim's quote (numbers in the quote: {shown}); a figure must be "
                    "written in its own quote, in digits or number words. A figure the book derives belongs in a chapter.",
                    column,
                )

        own_text = texts[claim.source_id]
        if quotes.find_quote(claim.quote, own_text):
            continue
        elsewhere = [sid for sid, text in texts.items() if sid != claim.source_id and quotes.find_quote(claim.quote, text)]
        if elsewhere:
            add(
                f"quote not found in its source '{claim.source_id}', but it is in {', '.join(repr(s) for s in elsewhere)}: "
                "is source_id wrong?",
                "quote",
            )
            continue
        missing = quotes.first_missing_piece(claim.quote, own_text)
        passage, ratio = quotes.closest_passage(missing, own_text)
        add(
            f"quote not found in source '{claim.source_id}'. Not found: \"{missing}\". "
            f"Closest passage in the source ({ratio:.0%} similar): \"{passage}\"",
            "quote",
        )
    if problems:
        raise EvidenceError(problems)


# Sets of (file, SHA-256) that passed a check together in this process, by check: a subset with the
# same bytes passes too (check_all reads the core tables six times, a chapter twice or three times).
_PASSED: dict[str, list[frozenset[tuple[str, str]]]] = {}


def _digests(files: dict[Path, bytes]) -> frozenset[tuple[str, str]]:
    return frozenset((str(Path(path).resolve()), hashlib.sha256(content).hexdigest()) for path, content in files.items())


def _note_passed(check: str, files: dict[Path, bytes]) -> None:
    _PASSED.setdefault(check, []).append(_digests(files))


def _passed_before(check: str, files: dict[Path, bytes]) -> bool:
    """True when these exact file contents already passed ``check`` together, in this process, or in the
    build's full check with the package code loaded now (:func:`evidence.sphinxext.inputs.passed_check`)."""
    digests = _digests(files)
    return any(digests <= passed for passed in _PASSED.get(check, [])) or inputs.passed_check(files)
