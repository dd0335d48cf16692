"""The expert-disagreement chapter: the coded positions table and its label tables, the package's check and
join of them (evidence/positions.py), and the chapter notebook's own analysis, tested by running its code.

The chapter's selections of claims, its tables, charts, codings and arithmetic live in the notebook
(chapters/expert-disagreement.md). :func:`run_chapter` executes its code cells in one namespace, as a
reader re-running the notebook would, and keeps each cell's last expression (its output), so the tests
below read the notebook's functions, tables, charts and glued values directly.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from conftest import DATA, HTML, ROOT, DataCopy
from evidence import EvidenceError, book, dates, load, positions, quotes
from evidence.charts import PALETTE, Figure
from evidence.display import Table

CHAPTER = ROOT / "chapters" / "expert-disagreement.md"
CLAIM_ID = re.compile(r"\b(?:dc|npr|intel|tl|pp)-[a-z0-9-]+")


@dataclass
class Chapter:
    """The chapter notebook after a run: its code cells, namespace, outputs (tables and charts by name) and glued values."""

    cells: list  # the notebook's code cells (source and metadata)
    ns: dict
    tables: dict[str, Table]
    figures: dict[str, Figure]
    glued: dict[str, object]


def run_chapter(path: Path = CHAPTER) -> Chapter:
    """Execute the notebook's code cells in order in one namespace (no kernel), keeping each cell's output."""
    from myst_nb.core.read import read_myst_markdown_notebook

    notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    ns: dict = {}
    outputs = []
    book.GLUED.clear()
    for index, cell in enumerate(cells):
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, f"{path.name}, code cell {index + 1}", "exec"), ns)
        if last is not None:
            outputs.append(eval(compile(ast.Expression(last.value), f"{path.name}, code cell {index + 1}", "eval"), ns))
    return Chapter(
        cells,
        ns,
        {o.name: o for o in outputs if isinstance(o, Table)},
        {o.name: o for o in outputs if isinstance(o, Figure)},
        dict(book.GLUED),
    )


@pytest.fixture(scope="module")
def evidence():
    return load(DATA)


@pytest.fixture(scope="module")
def frame(evidence):
    return positions.positions(evidence)


@pytest.fixture(scope="module")
def chapter():
    return run_chapter()


@pytest.fixture(scope="module")
def coded(chapter):
    """The notebook's coded table, with its chart row labels."""
    return chapter.ns["coded"]


def credit_claims_as_coded(data_copy: DataCopy) -> None:
    """Give every claim a position rests on the voice, mode and speaker its positions.csv row names,
    as the voices table does for the whole ledger (until it is merged, most claims have no voice)."""
    coded = {row["claim_id"]: row for row in data_copy.rows("positions.csv")}
    rows = data_copy.rows("claims.csv")
    for row in rows:
        if row["claim_id"] in coded:
            row.update({field: coded[row["claim_id"]][field] for field in ("voice", "mode", "speaker")})
    data_copy.write("claims.csv", rows)


# --- the tables against the ledger and the schema ----------------------------------------------


def test_every_position_agrees_with_its_claim(evidence):
    table = evidence.tables["positions"]
    assert len(table) >= 20
    assert positions.consistency_problems(evidence) == []
    for row in table.itertuples():
        claim = evidence.claim(row.claim_id)
        if claim["voice"]:  # credited by the voices table
            assert (row.voice, row.mode, row.speaker) == (claim["voice"], claim["mode"], claim["speaker"]), row.position_id


def test_relayed_words_are_never_credited_as_the_speakers_own(frame):
    relayed = frame[frame["mode"].isin(["paraphrase", "reported-speech"])]
    assert len(relayed) >= 4
    assert not relayed["own_words"].any()
    for credit, voice, speaker in zip(relayed["credit"], relayed["voice"], relayed["speaker"]):
        assert credit.startswith(voice + ", ") and speaker in credit and not credit.startswith(speaker)
    # The cells the reviewer named: NPR's "He says..." and the Daily Caller's lede are the reporters' words.
    by_claim = frame.set_index("claim_id")
    assert by_claim.loc["npr-rasmussen-greatest-risk-small-number", "credit"] == (
        "NPR (Greg Myre), reporting what Nicholas Rasmussen (NCTC) said"
    )
    assert by_claim.loc["dc-rasmussen-stay-in-iraq-syria", "voice"] == "Daily Caller (Jonah Bennett)"
    assert by_claim.loc["npr-position-defeat-not-end", "voice"] == "NPR anchor (unnamed)"
    assert by_claim.loc["tl-atlantic-some-may-join-al-qaida", "credit"].startswith("TalkLeft blogger, paraphrasing")


def test_the_join_carries_the_labels_of_the_label_tables(evidence, frame):
    propositions = evidence.tables["propositions"].set_index("proposition_id")
    stances = evidence.tables["stances"].set_index("stance_id")
    assert len(frame) == len(evidence.tables["positions"])
    assert list(frame["proposition_label"]) == [propositions.loc[p, "label"] for p in frame["proposition"]]
    assert list(frame["proposition_sentence"]) == [propositions.loc[p, "sentence"] for p in frame["proposition"]]
    assert list(frame["stance_label"]) == [stances.loc[s, "label"] for s in frame["stance"]]
    assert list(frame["symbol"]) == [stances.loc[s, "symbol"] for s in frame["stance"]]
    assert frame[["proposition_label", "stance_label", "symbol", "placed", "credit"]].notna().all().all()


def test_one_position_per_voice_mode_speaker_proposition_and_date(frame):
    keys = frame[["voice", "mode", "speaker", "proposition", "stated"]]
    assert not keys.duplicated().any(), keys[keys.duplicated()]


def test_schema_links_positions_to_its_label_tables():
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    schema = resources["positions"]["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    assert schema["primaryKey"] == ["position_id"]
    references = {key["fields"][0]: key["reference"] for key in schema["foreignKeys"]}
    assert references == {
        "claim_id": {"resource": "claims", "fields": ["claim_id"]},
        "proposition": {"resource": "propositions", "fields": ["proposition_id"]},
        "stance": {"resource": "stances", "fields": ["stance_id"]},
    }
    # The ids are listed once, in the label tables, not again as an enum.
    assert "enum" not in fields["proposition"]["constraints"] and "enum" not in fields["stance"]["constraints"]
    claim_modes = {f["name"]: f for f in resources["claims"]["schema"]["fields"]}["mode"]["constraints"]["enum"]
    assert set(fields["mode"]["constraints"]["enum"]) <= set(claim_modes)
    for name, key in (("propositions", "proposition_id"), ("stances", "stance_id")):
        assert resources[name]["schema"]["primaryKey"] == [key]
        assert all(f.get("description") for f in resources[name]["schema"]["fields"]), name
        assert resources[name].get("description")


def test_label_tables(evidence):
    propositions, stances = evidence.tables["propositions"], evidence.tables["stances"]
    assert len(propositions) == 7 and propositions["label"].is_unique and propositions["sentence"].is_unique
    assert list(stances["stance_id"]) == ["supports", "qualified", "opposes", "raises-question"]
    assert stances["symbol"].is_unique and (stances["symbol"].str.len() == 1).all()
    # tests/test_hostile_input.py appends a position on this proposition with this stance.
    assert "threat-morphing" in set(propositions["proposition_id"]) and "raises-question" in set(stances["stance_id"])


def test_every_proposition_is_coded_at_least_once(evidence, frame):
    assert set(frame["proposition"]) == set(evidence.tables["propositions"]["proposition_id"])


def test_stance_colours_come_from_the_palette_and_differ(chapter, evidence):
    colours = chapter.ns["STANCE_COLOURS"]
    assert list(colours) == list(evidence.tables["stances"]["stance_id"])
    assert set(colours.values()) <= set(PALETTE)
    assert len(set(colours.values())) == len(colours)


def test_no_claim_id_in_the_package_module():
    assert CLAIM_ID.findall((ROOT / "evidence" / "positions.py").read_text(encoding="utf-8")) == []


# --- bad input gets a clear message -------------------------------------------------------------


def test_unknown_claim_id_is_reported_with_row_and_field(data_copy: DataCopy):
    rows = data_copy.rows("positions.csv")
    rows[2]["claim_id"] = "no-such-claim"
    data_copy.write("positions.csv", rows)
    with pytest.raises(EvidenceError) as caught:
        load(data_copy.path).tables["positions"]
    message = str(caught.value)
    assert "data/positions.csv, row 4" in message and "claim_id" in message and "no-such-claim" in message


def test_unknown_stance_is_rejected(data_copy: DataCopy):
    rows = data_copy.rows("positions.csv")
    rows[0]["stance"] = "agrees"
    data_copy.write("positions.csv", rows)
    with pytest.raises(EvidenceError) as caught:
        load(data_copy.path).tables["positions"]
    assert "row 2" in str(caught.value) and "stance" in str(caught.value) and "stances.csv" in str(caught.value)


def test_a_voice_that_is_not_the_claims_voice_is_refused(data_copy: DataCopy):
    credit_claims_as_coded(data_copy)
    rows = data_copy.rows("positions.csv")
    index = next(i for i, r in enumerate(rows) if r["claim_id"] == "npr-rasmussen-greatest-risk-small-number")
    rows[index]["voice"] = "Nicholas Rasmussen (NCTC)"  # NPR's "He says..." coded as Rasmussen's own words
    rows[index]["mode"] = "direct-quotation"
    data_copy.write("positions.csv", rows)
    evidence = load(data_copy.path)
    problems = positions.consistency_problems(evidence)
    where = f"data/positions.csv, row {index + 2} (position_id '{rows[index]['position_id']}')"
    assert any(p.startswith(f"{where}, field 'voice'") and "NPR (Greg Myre)" in p for p in problems), problems
    assert any(p.startswith(f"{where}, field 'mode'") and "reported-speech" in p for p in problems), problems
    with pytest.raises(positions.PositionsError, match=rf"row {index + 2} .*field 'voice'.*Nicholas Rasmussen"):
        positions.positions(evidence)


def test_a_speaker_that_is_not_the_claims_speaker_is_refused(data_copy: DataCopy):
    credit_claims_as_coded(data_copy)
    rows = data_copy.rows("positions.csv")
    index = next(i for i, r in enumerate(rows) if r["claim_id"] == "tl-atlantic-some-may-join-al-qaida")
    rows[index]["speaker"] = "Philip Seib"
    data_copy.write("positions.csv", rows)
    problems = positions.consistency_problems(load(data_copy.path))
    assert len(problems) == 1 and f"row {index + 2}" in problems[0] and "field 'speaker'" in problems[0]
    assert "The Atlantic (Clarke and Amarasingam)" in problems[0]


def test_a_mode_that_does_not_fit_voice_and_speaker_is_refused(data_copy: DataCopy):
    rows = data_copy.rows("positions.csv")
    rows[0]["mode"] = "reported-speech"  # but voice and speaker are both Rasmussen
    rows[1]["speaker"] = "Someone else"  # a direct quotation conveying someone other than its voice
    data_copy.write("positions.csv", rows)
    problems = positions.consistency_problems(load(data_copy.path))
    assert any("row 2 " in p and "field 'speaker'" in p and "reported-speech conveys someone other" in p for p in problems)
    assert any("row 3 " in p and "field 'speaker'" in p and "must be the voice" in p for p in problems)


def test_unknown_proposition_is_refused_by_the_foreign_key(data_copy: DataCopy):
    rows = data_copy.rows("positions.csv")
    rows[1]["proposition"] = "threat-vanishing"
    data_copy.write("positions.csv", rows)
    with pytest.raises(EvidenceError) as caught:
        load(data_copy.path).tables["positions"]
    message = str(caught.value)
    assert "data/positions.csv, row 3 (position_id" in message and "field 'proposition'" in message
    assert "unknown proposition id 'threat-vanishing'" in message and "data/propositions.csv" in message


def test_a_proposition_still_in_use_cannot_be_removed_from_its_table(data_copy: DataCopy):
    rows = [r for r in data_copy.rows("propositions.csv") if r["proposition_id"] != "returnees-can-help"]
    data_copy.write("propositions.csv", rows)
    with pytest.raises(EvidenceError) as caught:
        load(data_copy.path).tables["positions"]
    assert "returnees-can-help" in str(caught.value) and "positions.csv" in str(caught.value)


def test_the_check_passes_once_the_ledger_credits_the_claims(data_copy: DataCopy):
    credit_claims_as_coded(data_copy)
    evidence = load(data_copy.path)
    assert positions.consistency_problems(evidence) == []
    assert len(positions.positions(evidence)) == len(data_copy.rows("positions.csv"))


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stated, published, placed, note",
    [
        ("2017-05-04", "2017-05-04", "2017-05-04", "full date given"),
        ("2017-03", "", "2017-03-16", "month only: placed at mid-month"),
        ("2017", "", "2017-07-02", "year only: placed at mid-year"),
        ("2016-09", "2016-09-12", "2016-09-06", "month only: placed at mid-month, within the span"),
        ("2016-09", "2016-10-01", "2016-09-15", "month only: placed at mid-month"),
    ],
)
def test_place_date(stated, published, placed, note):
    when, start, end, how = dates.place_date(stated, published)
    assert when.isoformat() == placed
    assert start <= when <= end
    assert how.startswith(note)


def test_partial_dates_are_labelled_in_the_timeline_data(chapter, coded):
    data = chapter.ns["timeline_frame"](coded)
    partial = data[data["Date as stated"].str.len() < 10]
    assert len(partial) > 0
    assert partial["How the date is placed"].str.contains("placed at mid-").all()
    full = data[data["Date as stated"].str.len() == 10]
    assert (full["Drawn at"] == full["Date as stated"]).all()


def test_no_own_copies_of_the_shared_date_and_hedge_helpers(chapter):
    for name in ("months_in", "monthly_average", "BOUND_WORDS", "_hedge_effect", "date_span", "place_date", "PLACED_NOTE",
                 "months_between", "QUALIFIERS"):
        assert not hasattr(positions, name), name
        assert name not in chapter.ns, name


# --- the notebook's tables and charts ------------------------------------------------------------


def test_matrix_rows_name_who_says_the_words_and_how(chapter, coded):
    rows = chapter.ns["row_order"](coded)
    assert "NPR (Myre) | reporting Rasmussen | 2017-05-04" in rows
    assert "Daily Caller (Bennett) | headline | 2017-07-21" in rows
    # Rasmussen's own words and the reporter's version of them at one date are different rows.
    assert "Rasmussen | quoted by NPR | 2017-05-04" in rows


def test_rasmussen_changes_view_between_may_and_july_2017(chapter, coded):
    change = chapter.ns["change_of_view"](coded)
    assert set(change["Speaker"]) == {"Nicholas Rasmussen (NCTC)"}
    returns = change[change["Proposition"] == "Returns will rise"]
    may = returns[returns["Date"] == "2017-05-04"].iloc[0]
    assert may["Stance (book's coding)"] == "Supports" and may["Whose words"] == "Nicholas Rasmussen (NCTC), quoted by NPR"
    july = returns[returns["Date"] == "2017-07-21"]
    assert list(july["Change"]) == ["changed: supports → qualified"] * 2
    # July: his own words and the Daily Caller's report of them, each credited.
    assert july["Whose words"].iloc[0].startswith("Nicholas Rasmussen (NCTC), quoted by")
    assert july["Whose words"].iloc[1] == "Daily Caller (Jonah Bennett), reporting what Nicholas Rasmussen (NCTC) said"
    quality = change[(change["Proposition"] == "Quality over quantity") & (change["Date"] == "2017-07-21")]
    assert list(quality["Change"]) == ["unchanged (supports)"]
    stay = change[change["Proposition"] == "Most will stay"]
    assert set(stay["Change"]) == {"new: no statement coded at the earlier date"}
    assert "Daily Caller (Jonah Bennett), headline" not in set(change["Whose words"])  # the headline is the paper's view
    # The table on the page is this frame, with the one speaker in its caption.
    table = chapter.tables["tbl-disagreement-change"]
    assert "Nicholas Rasmussen (NCTC), 2017-05-04 and 2017-07-21" in table.caption
    assert table.frame.equals(change.drop(columns=["Speaker"]))


def test_change_of_view_on_a_hand_made_case(chapter):
    made = pd.DataFrame(
        {
            "speaker": ["V", "V", "V", "V", "W"],
            "voice": ["V", "V", "R", "V", "W"],
            "own_words": [True, True, False, True, True],
            "proposition": ["most-will-stay", "most-will-stay", "most-will-stay", "threat-morphing", "most-will-stay"],
            "stated": ["2017-01", "2017-06-01", "2017-06-01", "2017-06-01", "2017-02"],
            "placed": ["2017-01-16", "2017-06-01", "2017-06-01", "2017-06-01", "2017-02-14"],
            "ledger_row": [0, 1, 2, 3, 4],
            "stance_label": ["Opposes", "Supports", "Qualified", "Qualified", "Supports"],
            "credit": ["V", "V", "R, reporting what V said", "V", "W"],
            "quote_shown": ["“a”", "“b”", "“c”", "“d”", "“e”"],
        }
    )
    change = chapter.ns["change_of_view"](made)
    assert list(change["Speaker"]) == ["V"] * 4  # W spoke once: not listed
    assert list(change["Change"]) == [
        "first statement",
        "changed: opposes → supports",
        "changed: opposes → qualified",
        "new: no statement coded at the earlier date",
    ]
    assert list(change["Whose words"])[2] == "R, reporting what V said"


def test_stance_counts_add_up(chapter, evidence, frame):
    counts = chapter.ns["counts"]
    stance_ids = list(evidence.tables["stances"]["stance_id"])
    assert list(counts.index) == list(evidence.tables["propositions"]["proposition_id"])
    assert counts[stance_ids].to_numpy().sum() == len(frame)
    # The prose: every coded position on defeat holds that it does not end the threat, each in its own words.
    defeat = counts.loc["military-defeat-not-end"]
    assert defeat["supports"] == defeat["own_words"] == defeat["speakers"] > 0
    assert defeat[["opposes", "qualified", "raises-question"]].sum() == 0
    # The prose: whether most will stay is the most divided question (the most different stances).
    stances = (counts[stance_ids] > 0).sum(axis=1)
    assert stances.idxmax() == "most-will-stay" and (stances == stances.max()).sum() == 1
    # The table on the page shows the same counts under the labels.
    shown = chapter.tables["tbl-disagreement-stance-counts"].frame
    assert list(shown["Proposition"]) == list(evidence.tables["propositions"]["label"])
    assert list(shown["Supports"]) == list(counts["supports"]) and list(shown["Speakers"]) == list(counts["speakers"])


def test_matrix_table_has_one_line_per_position_with_its_quote(chapter, frame):
    table = chapter.tables["tbl-disagreement-matrix"].frame
    assert len(table) == len(frame)
    for quote in table["Quote"]:
        assert quote.startswith("“") and quote.endswith("”")
    shown = {q[1:-1] for q in table["Quote"]}
    assert shown == set(frame["quote"])
    # Every row says whose words the quote is, and the words of a relayed row are not credited to its speaker.
    assert all(", " in w or w in set(frame["voice"]) for w in table["Whose words, date"])


def test_propositions_table_is_the_label_table(chapter, evidence):
    shown = chapter.tables["tbl-disagreement-propositions"].frame
    assert list(shown["Id"]) == list(evidence.tables["propositions"]["proposition_id"])
    assert list(shown["Proposition (the book's wording)"]) == list(evidence.tables["propositions"]["sentence"])
    legend = chapter.glued["stance_legend"]
    assert legend.startswith("+ supports: asserts the proposition; ± qualified:") and legend.count(";") == 3


def test_row_order_keeps_a_speakers_dates_together(chapter, coded):
    rows = chapter.ns["row_order"](coded)
    assert len(rows) == coded["row_label"].nunique()
    rasmussen = [i for i, r in enumerate(rows) if "Rasmussen" in r]
    assert rasmussen == list(range(rasmussen[0], rasmussen[0] + 4))  # own words and reporters', May then July
    assert rows[rasmussen[0]] == "Rasmussen | quoted by NPR | 2017-05-04"
    assert rows[0].startswith("intelNews (Fitsanakis) | reporting | The Washington Post")  # earliest


def test_charts_have_a_tooltip_with_the_quote(chapter):
    assert set(chapter.figures) == {"expert-positions-matrix", "expert-positions-timeline"}
    for figure in chapter.figures.values():
        spec = json.dumps(figure.spec)
        assert '"quote_shown"' in spec and '"Quote (the words in the source)"' in spec
        assert '"credit"' in spec and '"Whose words"' in spec
        assert figure.alt_text and not figure.data.empty
        assert not re.search(r"\b(Figure|Fig\.|Table) \d", spec), "a typed number in a chart"
        widths = [layer.get("width") for layer in [figure.spec] if "width" in layer]
        assert all(w <= 560 for w in widths)


# --- the charts: kinds told apart without colour, years on the time axis, a phone's width -----------


def _nodes(spec):
    """Every object in a chart's spec, except the theme's config."""
    stack = [{k: v for k, v in spec.items() if k != "config"}]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _layers(figure, mark):
    return [layer for layer in figure.spec["layer"] if (layer["mark"]["type"] if isinstance(layer["mark"], dict)
                                                          else layer["mark"]) == mark]


def test_short_row_labels(chapter):
    short = chapter.ns["short"]
    assert short("reporting what Nicholas Rasmussen (NCTC) said") == "reporting Rasmussen"
    assert short("quoted by Daily Caller News Foundation") == "quoted by Daily Caller"
    # A line too long for a phone breaks between words, never inside a name.
    assert short("paraphrasing The Atlantic (Clarke and Amarasingam)") == "paraphrasing | The Atlantic"
    assert short("reporting what The Washington Post said") == "reporting | The Washington Post"
    assert short("Philip Seib") == "Philip Seib"


def test_row_labels_fit_a_phone_and_name_one_row_each(chapter, coded):
    limit = chapter.ns["LINE_CHARS"]
    assert limit <= 22  # about 120 px at the labels' 10 px: under the page's cap of 40% of a phone's chart
    for column, row in (("row_label", ["voice", "how", "stated"]), ("line_label", ["voice", "how"])):
        for label in coded[column]:
            assert all(0 < len(line) <= limit for line in label.split(" | ")), label
        # One label for each voice, way of speaking (and date), and one of those for each label.
        pairs = coded[[column, *row]].drop_duplicates()
        assert pairs[column].is_unique and len(pairs) == len(coded[row].drop_duplicates())


def test_charts_are_single_views_the_page_can_fit_to_a_phone(chapter):
    """evidence-charts.js redraws a single or layered chart to its column's width, caps y-axis labels and
    stacks legends: nothing in the spec may defeat that (a fixed labelLimit or legend orient, a concat)."""
    for name, figure in chapter.figures.items():
        spec = figure.spec
        assert "layer" in spec and not {"hconcat", "vconcat", "concat", "facet", "repeat"} & set(spec), name
        assert isinstance(spec["width"], int) and spec["width"] <= 560, name
        for node in _nodes(spec):
            assert "labelLimit" not in node, (name, node)
            legend = node.get("legend")
            assert not (isinstance(legend, dict) and {"orient", "direction", "columns"} & set(legend)), (name, legend)
        # Labels centred on their rows, whatever their number of lines.
        axes = [n["axis"] for n in _nodes(spec) if n.get("field") in ("row_label", "line_label") and "axis" in n]
        assert axes and all(a["labelOffset"] == chapter.ns["CENTRED"] and a["labelExpr"] == chapter.ns["LINES"]
                            for a in axes)


def test_every_legend_tells_the_stances_apart_without_colour(chapter, evidence):
    stances = evidence.tables["stances"]
    assert stances["symbol"].is_unique
    keys = list(stances["symbol"] + " " + stances["label"])
    for name, figure in chapter.figures.items():
        colours = [n["color"] for n in _nodes(figure.spec) if isinstance(n.get("color"), dict)
                   and "field" in n["color"]]
        # Every colour legend entry starts with the stance's symbol ("+ Supports")...
        assert colours and all(c["field"] == "stance_key" and c["scale"]["domain"] == keys for c in colours), name
        assert all(c["legend"]["symbolType"] == "square" for c in colours)
        # ... and every coded position carries that symbol in the plot.
        texts = _layers(figure, "text")
        assert len(texts) == 1 and texts[0]["encoding"]["text"]["field"] == "symbol", name
    coded = chapter.ns["coded"]
    assert (coded["stance_key"] == coded["symbol"] + " " + coded["stance_label"]).all()


def test_timeline_shapes_tell_the_propositions_apart(chapter, evidence):
    timeline = chapter.figures["expert-positions-timeline"]
    (points,) = _layers(timeline, "point")
    shape = points["encoding"]["shape"]
    labels = list(evidence.tables["propositions"]["label"])
    assert shape["field"] == "proposition_label" and shape["scale"]["domain"] == labels
    shapes = shape["scale"]["range"]
    assert len(shapes) == len(set(shapes)) == len(labels)
    assert "square" not in shapes  # the square is the stance legend's swatch
    assert points["mark"]["filled"] is True  # one mark style: filled, outlined


def test_time_axis_ticks_carry_the_year(chapter):
    timeline = chapter.figures["expert-positions-timeline"]
    temporal = [n for n in _nodes(timeline.spec) if n.get("type") == "temporal"]
    axes = [n["axis"] for n in temporal if "axis" in n]
    assert temporal and axes and all("%Y" in a["format"] for a in axes)
    assert all(a["labelOverlap"] for a in axes)  # a phone drops labels that would touch, never overlaps them
    # One layer alone sets the shared time domain (two would clash in Vega-Lite, leaving an empty domain).
    assert sum("scale" in n for n in temporal) == len(axes)


def test_matrix_columns_do_not_run_past_the_plot(chapter):
    matrix = chapter.figures["expert-positions-matrix"]
    (x,) = {json.dumps(layer["encoding"]["x"], sort_keys=True) for layer in matrix.spec["layer"]}
    axis = json.loads(x)["axis"]
    assert axis["labelAngle"] == -90 and axis["orient"] == "top"  # upright labels end above their own column
    assert "padding" not in matrix.spec  # no room kept for slanted labels
    (cells,) = _layers(matrix, "rect")
    assert cells["mark"]["width"] == {"band": 0.8} and cells["mark"]["height"] == {"band": 0.8}  # narrow with the plot


def test_timeline_stacks_positions_that_share_a_row_and_a_date(chapter, coded):
    points, tallest = chapter.ns["stacked"](coded)
    assert len(points) == len(coded) and set(points["position_id"]) == set(coded["position_id"])
    groups = points.groupby(["line_label", "placed"])
    assert tallest == groups.size().max() > 1
    for _, group in groups:
        slots = sorted(group["slot"])
        assert slots == sorted(2 * tallest - s for s in slots)  # centred on the row
        assert all(b - a == 2 for a, b in zip(slots, slots[1:]))  # evenly spaced, none on another
        assert 0 <= slots[0] and slots[-1] <= 2 * tallest
        # In the chapter's order of propositions, top to bottom.
        order = list(chapter.ns["propositions"]["proposition_id"])
        assert list(group.sort_values("slot")["proposition"]) == sorted(group["proposition"], key=order.index)
    # The chart gives each stacked point room: the row's height over its slots, at least the point's width.
    timeline = chapter.figures["expert-positions-timeline"]
    (layer,) = _layers(timeline, "point")
    offset = layer["encoding"]["yOffset"]
    assert offset["field"] == "slot" and offset["scale"]["domain"] == list(range(2 * tallest + 1))
    row = timeline.spec["height"] / coded["line_label"].nunique()
    step = 2 * row / (2 * tallest + 1)
    assert step >= (layer["mark"]["size"]) ** 0.5 + 2, step


def test_charts_render_for_the_pdf(chapter):
    for figure in chapter.figures.values():
        assert figure.pdf().startswith(b"%PDF")


# --- numeric disagreements -----------------------------------------------------------------------


def test_disagreements_come_from_the_ledger(chapter, evidence):
    table = chapter.ns["disagreements"]()
    assert len(table) == len(chapter.ns["DISAGREEMENTS"])
    stock = table.iloc[0]
    a, b = evidence.value("intel-stock-30000-people"), evidence.value("npr-stock-total")
    assert stock["B minus A"] == f"{b - a:,.0f}"
    assert stock["Ratio B/A"] == f"{b / a:.2f}"
    shown = chapter.tables["tbl-disagreement-figures"].frame
    assert list(shown["Book's reading"]) == list(table["Book's reading"])
    assert shown["Gap"].iloc[0] == f"B − A: {b - a:,.0f}; B/A: {b / a:.2f}"


def test_no_difference_between_a_total_and_a_monthly_rate(chapter):
    arrivals = chapter.ns["disagreements"]().iloc[2]
    assert arrivals["B minus A"] == "" and arrivals["Ratio B/A"] == ""
    assert "Not the same measure" in arrivals["Book's reading"]
    assert chapter.tables["tbl-disagreement-figures"].frame["Gap"].iloc[2] == "not computed"


def _claim(value, qualifier, unit="people", period_start="", period_end="", stated="2017"):
    return pd.Series(
        {"claim_id": "x", "value": value, "lower": float("nan"), "upper": float("nan"), "qualifier": qualifier,
         "unit": unit, "period_start": period_start, "period_end": period_end, "stated": stated}
    )


def test_reading_on_hand_made_cases(chapter):
    reading = chapter.ns["reading"]
    # A is a lower bound below B: the true gap is at most the printed one.
    assert "true gap is at most about that" in reading(_claim(30000, "more-than"), _claim(40000, "about"))
    assert "true gap is at most that" in reading(_claim(30000, "more-than"), _claim(40000, "exact"))
    # A just under its figure and B above its figure: the true gap is at least the printed one.
    assert "true gap is at least that" in reading(_claim(90, "nearly"), _claim(100, "more-than"))
    # The same pair the other way round (B below A): the printed gap is still a floor.
    assert "true gap is at least that" in reading(_claim(100, "more-than"), _claim(90, "nearly"))
    # Both bounds pushing the same figure up: the gap could move either way.
    assert "larger or smaller" in reading(_claim(90, "more-than"), _claim(100, "more-than"))
    # Both point figures: no hedge sentence.
    plain = reading(_claim(10, "exact"), _claim(12, "exact"))
    assert "B is 2 higher" in plain and "true gap" not in plain
    # A total from January to a report in April (3 months under the month rule) against a monthly rate.
    mixed = reading(
        _claim(200, "fewer-than", unit="people-per-month"),
        _claim(39, "exact", period_start="2016-01", period_end="2016-04"),
    )
    assert "3 months" in mixed and "about 13 a month" in mixed and "ways" not in mixed
    assert "below the ceiling" in mixed


def test_the_50_is_read_both_ways(chapter, evidence):
    claim = evidence.claim("intel-flow-50-since-2016")
    readings = chapter.ns["readings_of_total"](claim)
    assert [round(m, 2) for _, m in readings] == [claim["value"] / 8, claim["value"]]  # Jan to the Sep report: 8 months
    assert dates.months_between(claim["period_start"], claim["period_end"]) == 8
    arrivals = chapter.ns["disagreements"]().iloc[2]["Book's reading"]
    assert "two ways" in arrivals and "about 6 a month" in arrivals and "about 50 a month" in arrivals
    assert "Under either reading" in arrivals
    assert "a floor" in arrivals  # the third reading (a count of identified recruits) is named, not computed
    with pytest.raises(ValueError):
        chapter.ns["readings_of_total"](evidence.claim("pp-flow-mid-2016"))


def test_contrasts_quote_both_sides_from_the_ledger(chapter, evidence):
    contrasts = chapter.ns["CONTRASTS"]
    table = chapter.tables["tbl-disagreement-contrasts"].frame
    assert len(table) == len(contrasts) >= 5
    ledger = [quotes.normalise(q) for q in evidence.claims["quote"]]
    for question, _, claim_a, claim_b, reading in contrasts:
        a, b = evidence.claim(claim_a), evidence.claim(claim_b)
        both = quotes.normalise(a["quote"] + " " + b["quote"])
        for span in re.findall(r"“([^”]+)”", reading):
            assert quotes.normalise(span) in both, (question, span)
        assert any(quotes.normalise(a["quote"]) == q for q in ledger)
    pairs = {(a, b) for _, _, a, b, _ in contrasts}
    assert ("pp-forecast-merger-possible", "tl-atlantic-some-may-join-al-qaida") in pairs
    assert ("dc-headline-fight-to-death", "dc-rasmussen-fight-to-death") in pairs
    assert ("intel-flow-headline-near-zero", "intel-flow-50-since-2016") in pairs
    assert ("npr-headline-new-worry", "npr-position-initial-flood-concern") in pairs
    for cell in table["One side"]:
        assert cell.startswith("“") and "” (" in cell
    assert table["One side"].iloc[1].endswith("(Daily Caller (Jonah Bennett), headline, 2017-07-21)")


def test_figures_for_the_prose(chapter, evidence, frame):
    glued = chapter.glued
    assert glued["n_positions"] == len(frame)
    assert glued["n_in_own_voice"] + glued["n_quoted"] + glued["n_relayed"] == len(frame)
    assert glued["weeks_apart"] == (date(2017, 7, 21) - date(2017, 5, 4)).days // 7
    # The key point counts speakers in their own words; the prose names the two sources that are silent.
    counts = chapter.ns["counts"]
    assert counts.loc["military-defeat-not-end", "opposes"] == 0
    assert counts.loc["military-defeat-not-end", "own_words"] == glued["n_defeat_supports"] == glued["n_defeat_speakers"]
    defeat = frame[frame["proposition"] == "military-defeat-not-end"]
    silent = set(evidence.sources.index) - set(defeat["source_id"])
    assert silent == {"dailycaller-2017-07-21", "intelnews-2016-09-12"}
    assert glued["n_defeat_silent"] == len(silent)
    assert (glued["months_50"], glued["avg_50"], glued["rate_50"]) == (8, "6", "50")
    assert (glued["stock_gap"], glued["remaining_ratio"]) == ("10,000", "3")
    # The prose names the two speakers with the most qualified positions.
    qualified = frame[frame["stance"] == "qualified"]["speaker"].value_counts()
    assert set(qualified.index[:2]) == {"The Atlantic (Clarke and Amarasingam)", "Policy paper author(s)"}
    assert glued["n_qualified_top2"] == qualified.iloc[:2].sum()
    # Glued numbers are plain Python values (MyST-NB prints numpy scalars with their type).
    assert all(type(v) in (int, str) for v in glued.values()), {k: type(v) for k, v in glued.items()}


# --- the chapter ---------------------------------------------------------------------------------


def _prose(text: str) -> str:
    """The chapter without its code cells and directive blocks."""
    return re.sub(r"```.*?```", "", text, flags=re.S)


def _tags(cell) -> set[str]:
    return set(cell.metadata.get("tags", []))


def test_claim_quotes_and_citations_exist(evidence):
    text = CHAPTER.read_text(encoding="utf-8")
    for claim_id in re.findall(r"```\{claim-quote\} ([a-z0-9-]+)", text):
        evidence.claim(claim_id)
    cited = set(re.findall(r"\{cite:[pt]\}`([^`]+)`", text))
    keys = {k.strip() for group in cited for k in group.split(",")}
    bib = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "references.bib").read_text(encoding="utf-8"), flags=re.M))
    assert set(evidence.sources["source_id"]) <= bib
    assert keys <= bib, keys - bib


def test_every_claim_id_in_the_notebook_is_in_the_ledger(chapter, evidence):
    used = {i for cell in chapter.cells for i in CLAIM_ID.findall(cell.source)}
    assert len(used) >= 15
    assert used <= set(evidence.claims.index), used - set(evidence.claims.index)


def test_glued_names_exist(chapter):
    used = set(re.findall(r"\{glue:text\}`([a-z0-9_]+)", CHAPTER.read_text(encoding="utf-8")))
    assert used <= set(chapter.glued), used - set(chapter.glued)


def test_every_table_and_chart_is_named_numbered_and_referred_to(chapter):
    text = CHAPTER.read_text(encoding="utf-8")
    figure_names = [cell.metadata["mystnb"]["figure"]["name"] for cell in chapter.cells if "mystnb" in cell.metadata]
    for cell in chapter.cells:
        if "mystnb" in cell.metadata:
            assert cell.metadata["mystnb"]["figure"]["caption"].strip()
    table_names = list(chapter.tables)
    assert len(table_names) == 6 and len(figure_names) == len(chapter.figures) == 2
    names = table_names + figure_names
    assert all(re.fullmatch(r"(tbl|fig)-disagreement-[a-z-]+", n) for n in names) and len(set(names)) == len(names)
    referred = set(re.findall(r"\{numref\}`([^`]+)`", text))
    assert referred == set(names)
    # No typed numbers: Sphinx numbers the tables and figures.
    assert not re.search(r"\b(Table|Figure|Fig\.) \d", _prose(text))
    assert not any(re.match(r"(Table|Figure|Fig\.) \d", t.caption) for t in chapter.tables.values())


def test_codings_and_arithmetic_are_visible_and_helpers_collapsed(chapter):
    """The book's codings, readings and arithmetic are in cells shown on the page; long helpers are collapsed;
    only the set-up cell is removed."""
    visible = ["positions(evidence)", 'evidence.tables["propositions"]', "pd.crosstab", "weeks_apart", "remaining_ratio",
               "CONTRASTS = [", "DISAGREEMENTS = [", "RATE_READINGS = {", "FLOOR_READINGS = {", "def readings_of_total",
               'glue("avg_50"', 'glue("stock_gap"']
    for marker in visible:
        cell = next(c for c in chapter.cells if marker in c.source)
        assert not _tags(cell), (marker, _tags(cell))
    for cell in chapter.cells:
        tags = _tags(cell)
        assert "remove-input" not in tags and "remove-output" not in tags
        assert ("remove-cell" in tags) == ("evidence = load()" in cell.source)
        functions = [n for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)]
        if sum(f.end_lineno - f.lineno + 1 for f in functions) > 20 and "def readings_of_total" not in cell.source:
            assert tags == {"hide-input"}, cell.source[:80]


def test_prose_length():
    """1,500-3,000 words of prose: code, directives, roles and the front matter do not count; a glued value is one word."""
    text = _prose(CHAPTER.read_text(encoding="utf-8"))
    text = re.sub(r"^---.*?---", "", text, flags=re.S)
    text = re.sub(r"\{(glue:text|claim)\}`[^`]+`", "N", text)
    text = re.sub(r"\{(cite:[pt]|doc|numref)\}`[^`]+`", "", text)
    text = re.sub(r"^:.*$", "", text, flags=re.M)
    words = len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", text))
    assert 1500 <= words <= 3000, words


@pytest.mark.book
@pytest.mark.skipif(not (HTML / "chapters" / "expert-disagreement.html").exists(), reason="build the book first")
def test_the_built_page_numbers_every_table_and_chart():
    page = (HTML / "chapters" / "expert-disagreement.html").read_text(encoding="utf-8")
    numbers = re.findall(r'<span class="caption-number">(Table|Fig\.) ([\d.]+) </span>', page)
    assert sorted(kind for kind, _ in numbers) == ["Fig."] * 2 + ["Table"] * 6, numbers
    # Every {numref} resolved to a link that carries the number.
    references = re.findall(r'<span class="std std-numref">([^<]*)</span>', page)
    assert len(references) == 8 and all(re.fullmatch(r"(Table|Fig\.) \d+\.\d+", r) for r in references), references
    assert "{numref}" not in page


# What the page draws, measured in the browser: the SVG's box and its column's width, every visible text
# (axis and legend labels, titles, the stance symbols) and every point of a plot.
_GEOMETRY = """(canvas) => {
  const svg = canvas.querySelector('svg');
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = (e) => !e.closest('[opacity="0"]') && e.textContent.trim();
  return {
    svg: box(svg),
    room: canvas.clientWidth,
    texts: [...svg.querySelectorAll('text')].filter(shown).map(t => ({
      text: t.textContent, box: box(t), role: t.closest('g[class]').getAttribute('class')})),
    points: [...svg.querySelectorAll('g.mark-symbol.role-mark path')].map(box),
  };
}"""


def _overlap(a, b, slack=0.5):
    return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.skipif(not (HTML / "chapters" / "expert-disagreement.html").exists(), reason="build the book first")
@pytest.mark.parametrize("width", [390, 1280])
def test_charts_fit_their_column_and_nothing_overlaps(browser, width):
    """On a phone and on a desktop: each chart no wider than its column, no text cut short or outside the chart,
    no axis label on another, and in the timeline no point on another point or on a stance symbol."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page.goto((HTML / "chapters" / "expert-disagreement.html").as_uri())
    canvases = page.locator(".evidence-chart-canvas")
    assert canvases.count() == 2
    try:
        for index in range(2):
            canvases.nth(index).locator("svg").first.wait_for(timeout=15000)
            found = canvases.nth(index).evaluate(_GEOMETRY)
            svg, texts = found["svg"], found["texts"]
            assert svg[2] - svg[0] <= found["room"] + 0.5, (width, index, svg, found["room"])
            for text in texts:
                assert not text["text"].endswith("…"), (width, text)  # cut short by a label limit
                inside = [text["box"][0] >= svg[0] - 1, text["box"][2] <= svg[2] + 1]
                assert all(inside), (width, text, svg)
            labels = [t for t in texts if "role-axis-label" in t["role"]]
            assert labels
            for i, a in enumerate(labels):
                for b in labels[i + 1 :]:
                    assert not _overlap(a["box"], b["box"]), (width, a, b)
            # The timeline's points and the stance symbols beside them (the matrix has none: a cell holds its symbol).
            points = found["points"]
            symbols = [t["box"] for t in texts if "role-mark" in t["role"]]
            for i, a in enumerate(points):
                assert not any(_overlap(a, b) for b in points[i + 1 :] + symbols), (width, a)
        assert len(found["points"]) == 27  # the timeline, drawn last, has a point for every position
    finally:
        page.close()
