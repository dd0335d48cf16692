"""The evidence base: the real data passes every check, and each kind of bad input gets a precise message."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from frictionless import Package

from conftest import DATA, ROOT, DataCopy
from evidence import EvidenceError, load, quotes


def load_error(data_copy: DataCopy) -> str:
    with pytest.raises(EvidenceError) as caught:
        load(data_copy.path)
    return str(caught.value)


def first_claim(data_copy: DataCopy, source_id: str, numeric: bool = False) -> dict[str, str]:
    return next(
        row for row in data_copy.rows("claims.csv") if row["source_id"] == source_id and (row["value"] or not numeric)
    )


# --- the real evidence base -------------------------------------------------------------------


def test_real_evidence_base_passes_every_check():
    evidence = load(DATA)
    assert len(evidence.sources) == 5
    assert len(evidence.claims) >= 80
    assert set(evidence.claims["source_id"]) == set(evidence.sources["source_id"])


def test_every_quote_is_in_its_own_source():
    evidence = load(DATA)
    for claim in evidence.claims.itertuples():
        assert quotes.find_quote(claim.quote, evidence.texts[claim.source_id]), claim.claim_id


def test_data_package_is_valid_for_frictionless():
    report = Package(str(DATA / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])


def test_source_files_are_the_seeds_byte_for_byte():
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds is not beside this checkout")
    received = {path.read_bytes() for path in seeds.glob("*.txt")}
    kept = {path.read_bytes() for path in (DATA / "sources").glob("*.txt")}
    assert kept == received


def test_unknown_metadata_is_empty_and_explained():
    evidence = load(DATA)
    for source in evidence.sources.itertuples():
        for field in ("outlet", "author", "title", "published", "url"):
            if not getattr(source, field):
                assert field in source.notes or field.replace("published", "date") in source.notes.lower(), (
                    source.source_id,
                    field,
                )


def test_reader_comments_are_never_evidence():
    evidence = load(DATA)
    talkleft = evidence.texts["talkleft-2017-03-08"]
    comments_start = talkleft.index("Display: Sort:")
    for claim in evidence.claims[evidence.claims["source_id"] == "talkleft-2017-03-08"].itertuples():
        for piece in quotes.quote_pieces(claim.quote):
            assert talkleft.find(piece) < comments_start, claim.claim_id


# --- the one normalisation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "quote"),
    [
        ("it\u2019s \u201cfailing entity\u201d", "it's \"failing entity\""),
        ("Syria\u2014and", "Syria-and"),
        ("counter-\nterrorism strategy", "counter-terrorism strategy"),
        ("anywhere between\n10,000 and 30,000 ", "anywhere between 10,000 and 30,000"),
        ("a\u00a0b", "a b"),
        ("We will not relent\u2026 [W]e", "We will not relent... [W]e"),
    ],
)
def test_normalisation_folds_typography_and_pdf_line_breaks(source, quote):
    assert quotes.find_quote(quote, quotes.normalise(source))


def test_elided_pieces_must_appear_in_order():
    text = quotes.normalise("first part, then a middle, then the end")
    assert quotes.find_quote("first part, […] the end", text)
    assert quotes.find_quote("first part, [...] the end", text)
    assert not quotes.find_quote("the end […] first part", text)


def test_case_and_spelling_are_not_folded():
    text = quotes.normalise("The good news is")
    assert not quotes.find_quote("the good news is", text)


# --- each bad input names the file, the row and the field ------------------------------------------


def test_missing_column(data_copy):
    rows = data_copy.rows("claims.csv")
    columns = [c for c in rows[0] if c != "unit"]
    data_copy.write("claims.csv", [{c: r[c] for c in columns} for r in rows], columns)
    assert "data/claims.csv, row 1, field 'unit': required column is missing from the header" in load_error(data_copy)


def test_unknown_extra_column(data_copy):
    rows = data_copy.rows("claims.csv")
    for row in rows:
        row["confidence"] = "high"
    data_copy.write("claims.csv", rows)
    message = load_error(data_copy)
    assert "data/claims.csv, row 1, field 'confidence': unknown column" in message


def test_non_numeric_value(data_copy):
    claim = first_claim(data_copy, "policy-paper-2017", numeric=True)
    row = data_copy.edit_claim(claim["claim_id"], value="3,000")
    assert (
        f"data/claims.csv, row {row} (claim_id '{claim['claim_id']}'), field 'value': '3,000' is not a number"
        in load_error(data_copy)
    )


def test_unknown_source_id(data_copy):
    claim = first_claim(data_copy, "npr-2017-05-04")
    row = data_copy.edit_claim(claim["claim_id"], source_id="npr-2017-05-05")
    assert (
        f"data/claims.csv, row {row} (claim_id '{claim['claim_id']}'), field 'source_id': "
        "unknown source id 'npr-2017-05-05': it is not a source_id in data/sources.csv"
    ) in load_error(data_copy)


def test_duplicate_claim_id(data_copy):
    rows = data_copy.rows("claims.csv")
    rows[5]["claim_id"] = rows[2]["claim_id"]
    data_copy.write("claims.csv", rows)
    assert (
        f"data/claims.csv, row 7 (claim_id '{rows[2]['claim_id']}'), field 'claim_id': "
        f"duplicate value '{rows[2]['claim_id']}': already used in row 4"
    ) in load_error(data_copy)


def test_quote_not_found_names_claim_source_and_closest_passage(data_copy):
    claim = first_claim(data_copy, "npr-2017-05-04")
    typo = claim["quote"].replace("e", "3", 1)
    row = data_copy.edit_claim(claim["claim_id"], quote=typo)
    message = load_error(data_copy)
    assert f"data/claims.csv, row {row} (claim_id '{claim['claim_id']}'), field 'quote'" in message
    assert "quote not found in source 'npr-2017-05-04'" in message
    assert f'Closest passage in the source' in message
    assert quotes.normalise(claim["quote"]) in message  # the passage that was meant


def test_quote_that_exists_only_in_another_source(data_copy):
    claim = first_claim(data_copy, "dailycaller-2017-07-21")
    row = data_copy.edit_claim(claim["claim_id"], source_id="npr-2017-05-04")
    assert (
        f"data/claims.csv, row {row} (claim_id '{claim['claim_id']}'), field 'quote': quote not found in its source "
        "'npr-2017-05-04', but it is in 'dailycaller-2017-07-21': is source_id wrong?"
    ) in load_error(data_copy)


def test_source_file_missing(data_copy):
    (data_copy.path / "sources" / "intelnews-2016-09-12.txt").unlink()
    assert (
        "data/sources.csv, row 4 (source_id 'intelnews-2016-09-12'), field 'file': "
        "source file data/sources/intelnews-2016-09-12.txt is missing"
    ) in load_error(data_copy)


def test_source_file_altered(data_copy):
    path = data_copy.path / "sources" / "npr-2017-05-04.txt"
    path.write_bytes(path.read_bytes().replace(b"40,000", b"45,000"))
    message = load_error(data_copy)
    assert (
        "data/sources.csv, row 3 (source_id 'npr-2017-05-04'), field 'sha256': "
        "source file data/sources/npr-2017-05-04.txt has been altered"
    ) in message


def test_empty_ledger(data_copy):
    header = (data_copy.path / "claims.csv").read_text(encoding="utf-8").splitlines()[0]
    (data_copy.path / "claims.csv").write_text(header + "\n", encoding="utf-8")
    assert "data/claims.csv: the claims ledger is empty: only a header, no data rows" in load_error(data_copy)


def test_zero_byte_ledger(data_copy):
    (data_copy.path / "claims.csv").write_bytes(b"")
    assert "data/claims.csv: is empty: it needs a header row and at least one row of data" in load_error(data_copy)


def test_csv_that_is_not_utf8(data_copy):
    text = (data_copy.path / "claims.csv").read_text(encoding="utf-8")
    with_accent = text.replace("\n", "\nx-accent,npr-2017-05-04,context,Caf\u00e9,2017,Caf\u00e9,,,,,,,,,\n", 1)
    (data_copy.path / "claims.csv").write_bytes(with_accent.encode("latin-1", errors="replace"))
    assert "data/claims.csv, row 2: is not UTF-8: byte 0xe9 at line 2 cannot be decoded" in load_error(data_copy)


def test_csv_with_byte_order_mark(data_copy):
    raw = (data_copy.path / "claims.csv").read_bytes()
    (data_copy.path / "claims.csv").write_bytes(b"\xef\xbb\xbf" + raw)
    assert "data/claims.csv: starts with a UTF-8 byte-order mark (BOM)" in load_error(data_copy)


def test_every_problem_is_reported_at_once(data_copy):
    rows = data_copy.rows("claims.csv")
    rows[0]["value"] = "many"
    rows[1]["source_id"] = "nowhere"
    data_copy.write("claims.csv", rows)
    message = load_error(data_copy)
    assert "field 'value': 'many' is not a number" in message
    assert "unknown source id 'nowhere'" in message


def test_numeric_claim_needs_unit_and_ordered_bounds(data_copy):
    claim = first_claim(data_copy, "policy-paper-2017", numeric=True)
    row = data_copy.edit_claim(claim["claim_id"], unit="", lower="500", upper="100")
    message = load_error(data_copy)
    assert f"row {row} (claim_id '{claim['claim_id']}'), field 'unit': a numeric claim needs a unit" in message
    assert "lower bound 500 is above upper bound 100" in message


def test_command_line_check_fails_with_the_message_and_writes_nothing(data_copy, tmp_path):
    claim = first_claim(data_copy, "npr-2017-05-04")
    data_copy.edit_claim(claim["claim_id"], value="lots")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = subprocess.run([sys.executable, "-m", "evidence", str(data_copy.path)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "field 'value': 'lots' is not a number" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


@pytest.mark.build
def test_book_build_stops_before_writing_anything_on_bad_data(data_copy, tmp_path):
    claim = first_claim(data_copy, "npr-2017-05-04")
    data_copy.edit_claim(claim["claim_id"], quote="words that are in no source at all")
    out = tmp_path / "out"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--path-output", str(out), "-W", "-n"],
        capture_output=True,
        text=True,
        env={**os.environ, "EVIDENCE_DATA_DIR": str(data_copy.path)},
    )
    assert result.returncode != 0
    assert "quote not found in source 'npr-2017-05-04'" in result.stdout + result.stderr
    assert not list(out.rglob("*.html"))


# --- odd encodings and a large ledger -------------------------------------------------------------


def _replace_source(data_copy: DataCopy, source_id: str, raw: bytes) -> None:
    rows = data_copy.rows("sources.csv")
    row = next(r for r in rows if r["source_id"] == source_id)
    (data_copy.path / "sources" / row["file"]).write_bytes(raw)
    row["sha256"] = hashlib.sha256(raw).hexdigest()
    data_copy.write("sources.csv", rows)


def test_source_file_with_byte_order_mark_is_handled(data_copy):
    raw = (data_copy.path / "sources" / "npr-2017-05-04.txt").read_bytes()
    _replace_source(data_copy, "npr-2017-05-04", b"\xef\xbb\xbf" + raw)
    evidence = load(data_copy.path)
    assert not evidence.texts["npr-2017-05-04"].startswith("\ufeff")


def test_source_file_in_another_encoding_is_a_clear_error(data_copy):
    text = (data_copy.path / "sources" / "dailycaller-2017-07-21.txt").read_text(encoding="utf-8")
    _replace_source(data_copy, "dailycaller-2017-07-21", text.encode("cp1252", errors="replace"))
    assert "data/sources/dailycaller-2017-07-21.txt: is not UTF-8: byte 0xa0 at line 9 cannot be decoded" in load_error(data_copy)


def test_a_ledger_of_ten_thousand_rows_validates(data_copy):
    rows = data_copy.rows("claims.csv")
    many = [{**rows[i % len(rows)], "claim_id": f"synthetic-{i}"} for i in range(10_000)]
    data_copy.write("claims.csv", many)
    evidence = load(data_copy.path)
    assert len(evidence.claims) == 10_000
    assert evidence.claim("synthetic-9999")["quote"] == rows[9999 % len(rows)]["quote"]
