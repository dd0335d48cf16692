"""The returnee-typology chapter: its crosswalk and label tables, the notebook's tables, inferences, charts and prose.

The package part (:mod:`evidence.typology`: the consistency check, the crosswalk, the generic helpers)
is tested directly. The chapter's own analysis lives in its notebook, so it is tested by executing
the notebook's code cells in this process (:func:`run_chapter`) and reading what they define and show.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from myst_nb.core.read import read_myst_markdown_notebook

from conftest import DATA, ROOT
from prose import prose
from evidence import EvidenceError, load, quotes
from evidence import typology
from evidence.book import GLUED
from evidence.charts import PALETTE, Figure
from evidence.display import Table
from evidence.voices import credit

CHAPTER = ROOT / "chapters" / "returnee-typology.md"
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
BLOGGER = "TalkLeft blogger"
ATLANTIC = "The Atlantic (Clarke and Amarasingam)"
CLAIM_ID = re.compile(r"\b(?:dc|npr|intel|tl|pp)-[a-z0-9-]+")


@dataclasses.dataclass
class Chapter:
    """The executed notebook: its code cells, what they define, what each shows, and the values glued."""

    cells: list  # the notebook's code cells (nbformat), in order
    namespace: dict
    outputs: list[tuple[dict, object]]  # (cell metadata, the value the cell shows), for cells that show one
    glued: dict[str, object]

    def shown(self, name: str) -> object:
        """The table (by its name) or the chart (by its figure name) a cell shows."""
        for metadata, value in self.outputs:
            figure = metadata.get("mystnb", {}).get("figure", {})
            if figure.get("name") == name or getattr(value, "name", None) == name:
                return value
        raise KeyError(name)


def run_chapter(path: Path) -> Chapter:
    """Execute a MyST notebook's code cells in one namespace, as Jupyter would, keeping each cell's shown value.

    A small stand-in for a kernel (the lead may move it to conftest.py): a cell's last expression is
    what the cell shows, so it is evaluated and kept with the cell's metadata.
    """
    notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=str(path))
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    namespace: dict = {"__name__": "__chapter__"}
    outputs = []
    GLUED.clear()
    for index, cell in enumerate(cells):
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, f"{path.name}, code cell {index + 1}", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), f"{path.name}, code cell {index + 1}", "eval"), namespace)
            if value is not None:
                outputs.append((cell.metadata, value))
    return Chapter(cells, namespace, outputs, dict(GLUED))


@pytest.fixture(scope="module")
def evidence():
    return load(DATA)


@pytest.fixture(scope="module")
def table(evidence):
    return typology.crosswalk(evidence)


@pytest.fixture(scope="module")
def chapter():
    return run_chapter(CHAPTER)


@pytest.fixture(scope="module")
def ns(chapter):
    return chapter.namespace


def claim(**fields) -> pd.Series:
    """A hand-made ledger row with only the fields the functions under test read."""
    base = {"claim_id": "x", "value": float("nan"), "lower": float("nan"), "upper": float("nan"),
            "qualifier": "", "unit": "people", "quote": ""}
    return pd.Series({**base, **fields})


def paths(evidence) -> dict[str, str]:
    frame = evidence.tables["typology_paths"].sort_values("path_order")
    return dict(zip(frame["path_id"], frame["label"]))


# --------------------------------------------------------------------------- the tables in data/


def test_typology_table_is_declared_and_checked_by_frictionless(evidence):
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    resource = resources["typology"]
    assert resource["schema"]["primaryKey"] == ["row_id"]
    keys = {tuple(k["fields"]): k["reference"]["resource"] for k in resource["schema"]["foreignKeys"]}
    assert keys == {("claim_id",): "claims", ("threat_claim_id",): "claims", ("detail_claim_id",): "claims",
                    ("framework",): "typology_frameworks", ("common_path",): "typology_paths",
                    ("also_path",): "typology_paths"}
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert fields["label_voice"]["constraints"]["required"] is True
    assert len(evidence.tables["typology"]) > 0


@pytest.mark.parametrize("name", ["typology_paths", "typology_frameworks", "typology_differences"])
def test_label_tables_have_a_schema_with_a_description_for_every_field(evidence, name):
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    assert resource["description"] and resource["schema"]["primaryKey"]
    assert all(field.get("description") for field in resource["schema"]["fields"])
    assert len(evidence.tables[name]) > 0


def test_every_pair_of_kinds_has_one_wording_of_the_difference(evidence):
    differences = evidence.tables["typology_differences"]
    kinds = {"own", "within", "none"}
    assert set(zip(differences["talkleft"], differences["daily_caller"])) == {(a, b) for a in kinds for b in kinds}


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (("own", "own"), "both name a type"),
        (("none", "none"), "neither summary"),
        (("own", "none"), "only TalkLeft has it"),
        (("none", "within"), "only the Daily Caller has it"),
        (("own", "within"), "a separate type in TalkLeft; part of another type in the Daily Caller"),
        (("within", "own"), "a separate type in the Daily Caller; part of another type in TalkLeft"),
        (("within", "within"), "part of another type in both"),
    ],
)
def test_difference_wording(evidence, kinds, expected):
    differences = evidence.tables["typology_differences"].set_index(["talkleft", "daily_caller"])["difference"]
    assert differences[kinds] == expected


def test_unknown_path_in_the_label_table_is_reported_where_it_is_used(data_copy):
    rows = data_copy.rows("typology_paths.csv")
    rows[0]["path_id"] = "remain"  # 'stay' no longer exists: the typology rows that use it fail
    data_copy.write("typology_paths.csv", rows)
    with pytest.raises(EvidenceError) as raised:
        load(data_copy.path).tables["typology"]
    assert "typology.csv, row 2 (row_id 'tl-hard-core'), field 'also_path': unknown path id 'stay'" in str(raised.value)


def test_unknown_claim_id_in_the_typology_is_reported_with_file_and_row(data_copy):
    rows = data_copy.rows("typology.csv")
    rows[2]["claim_id"] = "no-such-claim"
    data_copy.write("typology.csv", rows)
    with pytest.raises(EvidenceError) as raised:
        load(data_copy.path).tables["typology"]
    message = str(raised.value)
    assert "typology.csv" in message and "row 4" in message and "no-such-claim" in message


def test_unknown_common_path_is_rejected(data_copy):
    rows = data_copy.rows("typology.csv")
    rows[0]["common_path"] = "go-home"
    data_copy.write("typology.csv", rows)
    with pytest.raises(EvidenceError, match="go-home"):
        load(data_copy.path).tables["typology"]


def test_unknown_framework_is_rejected(data_copy):
    rows = data_copy.rows("typology.csv")
    rows[0]["framework"] = "atlantic-via-npr"
    data_copy.write("typology.csv", rows)
    with pytest.raises(EvidenceError, match="atlantic-via-npr"):
        load(data_copy.path).tables["typology"]


# --------------------------------------------------------------------------- the consistency check (make check)


def test_labels_and_threats_are_verbatim_in_the_cited_quotes(evidence):
    assert typology.verbatim_problems(evidence) == []


def test_a_label_not_verbatim_in_its_quote_fails_the_check_naming_row_and_field(data_copy):
    rows = data_copy.rows("typology.csv")
    rows[3]["type_label"] = "the most fearsome returnees"  # row 5 of the file (header = row 1)
    data_copy.write("typology.csv", rows)
    evidence = load(data_copy.path)
    problems = typology.verbatim_problems(evidence)
    assert problems == [
        f"data/typology.csv, row 5 ({rows[3]['row_id']}), field 'type_label': 'the most fearsome returnees' "
        f"is not verbatim in the quote of {rows[3]['claim_id']}"
    ]
    with pytest.raises(typology.TypologyError, match=r"row 5 \(tl-operational\), field 'type_label'"):
        typology.check(evidence)
    with pytest.raises(typology.TypologyError):
        typology.crosswalk(evidence)  # so no table or chart of the chapter can show it


def test_a_paraphrase_of_the_label_is_not_verbatim(evidence):
    """Close is not enough: the blogger's 'aka' for the article's 'or' must fail."""
    broken = evidence.tables["typology"].copy()
    row = broken.index[broken["row_id"] == "tl-free-agents"][0]
    broken.loc[row, "type_label"] = '"free agents" aka mercenaries'
    problems = typology.verbatim_problems(evidence, broken)
    assert len(problems) == 1 and "(tl-free-agents), field 'type_label'" in problems[0]


def test_threats_and_notes_are_checked_too(evidence):
    broken = evidence.tables["typology"].copy()
    broken.loc[2, "threat_as_stated"] = "extremely dangerous"  # has a threat claim: words not in it
    broken.loc[1, "threat_as_stated"] = "a threat"  # no threat claim or voice given
    broken.loc[0, "mapping_note"] = "see (pp-no-such-claim)"
    problems = typology.verbatim_problems(evidence, broken)
    assert len(problems) == 3
    assert "row 2" in problems[0] and "mapping_note" in problems[0] and "pp-no-such-claim" in problems[0]
    assert "row 3" in problems[1] and "field 'threat_voice': empty" in problems[1]
    assert "row 4" in problems[2] and "field 'threat_as_stated'" in problems[2] and "not verbatim" in problems[2]


def test_a_label_credited_to_the_wrong_voice_fails_the_check(evidence):
    """The blogger's line is the blogger's: crediting it to The Atlantic fails, naming row and field."""
    broken = evidence.tables["typology"].copy()
    row = broken.index[broken["row_id"] == "tl-disillusioned"][0]
    broken.loc[row, "label_voice"] = ATLANTIC
    broken.loc[row, "threat_voice"] = ATLANTIC
    problems = typology.verbatim_problems(evidence, broken)
    assert len(problems) == 2
    assert "(tl-disillusioned), field 'label_voice'" in problems[0] and "'TalkLeft blogger'" in problems[0]
    assert "(tl-disillusioned), field 'threat_voice'" in problems[1]


def test_label_voices_are_compared_with_the_ledger_once_it_records_them(evidence):
    """Existing claims get their voice from the voices data; the check compares as soon as it is there."""
    claims = evidence.claims.copy()
    claims.loc["dc-atlantic-three-groups", "voice"] = ATLANTIC  # a wrong ledger voice, for the test
    wrong = dataclasses.replace(evidence, claims=claims)
    problems = typology.verbatim_problems(wrong)
    assert [p.split(",")[1].strip() for p in problems] == ["row 6 (dc-disillusioned)", "row 7 (dc-disengaged)",
                                                          "row 8 (dc-operational)"]
    assert all("field 'label_voice'" in p for p in problems)
    claims.loc["dc-atlantic-three-groups", "voice"] = "Daily Caller (Jonah Bennett)"
    assert typology.verbatim_problems(dataclasses.replace(evidence, claims=claims)) == []


def test_the_package_module_names_no_claim():
    """The chapter chooses its claims; evidence/typology.py keeps only what any table of this shape needs."""
    code = (ROOT / "evidence" / "typology.py").read_text(encoding="utf-8")
    assert CLAIM_ID.findall(code) == []


# --------------------------------------------------------------------------- the crosswalk


def test_crosswalk_is_in_reading_order_of_the_frameworks_table(evidence, table):
    frameworks = evidence.tables["typology_frameworks"].sort_values("framework_order")["framework_id"]
    assert list(dict.fromkeys(table["framework"])) == list(frameworks)
    sub_group = table.index[table["row_id"] == "pp-retain-sympathy"][0]
    assert table.loc[sub_group - 1, "row_id"] == "pp-leave-battle"  # a sub-group after the type it belongs to


def test_whose_words_each_talkleft_label_and_threat_is(table):
    """The reading of the TalkLeft post: linking lines are the blogger's, excerpts The Atlantic's."""
    voices = table.set_index("row_id")
    assert voices.loc["tl-free-agents", "label_voice"] == ATLANTIC
    for row_id in ("tl-hard-core", "tl-disillusioned", "tl-operational"):
        assert voices.loc[row_id, "label_voice"] == BLOGGER, row_id
    assert voices.loc["tl-disillusioned", "threat_voice"] == BLOGGER  # "not a physical threat"
    assert voices.loc["tl-operational", "threat_voice"] == ATLANTIC  # "They are the most deadly."
    daily_caller = table[table["framework"] == "atlantic-via-dailycaller"]
    assert set(daily_caller["label_voice"]) == {"Daily Caller (Jonah Bennett)"}
    assert set(daily_caller["threat_voice"]) - {""} == {"Daily Caller (Jonah Bennett)"}


def test_claims_the_chapter_added_are_each_in_one_voice(evidence):
    """The returnee's words stand apart from The Atlantic's; the blogger's lines apart from the excerpts."""
    returnee = evidence.claim("tl-returnee-would-probably-go")
    assert returnee["voice"] == returnee["speaker"] == "Unnamed returnee (quoted by The Atlantic)"
    assert "This individual" not in returnee["quote"]
    blogger = evidence.claim("tl-blogger-first-type-disillusioned")
    assert (blogger["voice"], blogger["mode"], blogger["speaker"]) == (BLOGGER, "paraphrase", ATLANTIC)
    assert "psychological care" not in blogger["quote"]
    assert credit(blogger, evidence.sources) == "TalkLeft blogger, paraphrasing The Atlantic (Clarke and Amarasingam)"
    excerpt = evidence.claim("tl-atlantic-psychological-care")
    assert credit(excerpt, evidence.sources) == "The Atlantic (Clarke and Amarasingam), quoted by TalkLeft"


def test_every_framework_has_types_and_every_path_is_used(evidence, table):
    assert set(table["framework"]) == set(evidence.tables["typology_frameworks"]["framework_id"])
    assert set(table["common_path"]) | set(table["also_path"]) - {""} == set(paths(evidence))


def test_policy_paper_has_as_many_scenarios_as_it_says(evidence, table):
    stated = re.search(r"(\w+) different scenarios", evidence.claim("pp-typology-five-scenarios")["quote"]).group(1)
    scenarios = table[(table["framework"] == "policy-paper-scenarios") & (table["level"] == "type")]
    assert len(scenarios) == NUMBER_WORDS[stated.lower()]
    assert sorted(scenarios["type_order"]) == list(range(1, len(scenarios) + 1))
    for order, row in scenarios.iterrows():
        assert row["claim_id"].startswith(f"pp-scenario-{int(row['type_order'])}-")


def test_returnee_type_counts_match_each_summary_s_own_words(evidence):
    """The counts are the blogger's ("two types") and the Daily Caller's ("three groups"), not the article's."""
    counts = typology.returnee_type_counts(evidence)
    talkleft = re.search(r"(\w+) types of returnees", evidence.claim("tl-blogger-two-types-returnees")["quote"]).group(1)
    dailycaller = re.search(r"into (\w+) groups", evidence.claim("dc-atlantic-three-groups")["quote"]).group(1)
    assert counts["atlantic-via-talkleft"] == NUMBER_WORDS[talkleft]
    assert counts["atlantic-via-dailycaller"] == NUMBER_WORDS[dailycaller]


def test_returnee_type_counts_follow_the_return_home_column(data_copy):
    rows = data_copy.rows("typology_paths.csv")
    for row in rows:
        if row["path_id"] == "return-disengaged":
            row["return_home"] = "no"
    data_copy.write("typology_paths.csv", rows)
    counts = typology.returnee_type_counts(load(data_copy.path))
    assert counts["atlantic-via-dailycaller"] == 2  # the disengaged group no longer counts as a returnee type


def test_talkleft_operational_type_is_read_as_also_disengaged(table):
    row = table[table["row_id"] == "tl-operational"].iloc[0]
    assert (row["common_path"], row["also_path"]) == ("return-operational", "return-disengaged")
    assert "disengaged" in row["quote"] and "did not become disillusioned" in row["quote"]
    assert "still committed to jihadism" in row["detail_quote"]  # The Atlantic's excerpt under the blogger's line


# --------------------------------------------------------------------------- a share of two hedged figures


@pytest.mark.parametrize(
    ("top", "bottom", "direction"),
    [
        ("more-than", "nearly", "at least"),
        ("more-than", "exact", "at least"),
        ("exact", "fewer-than", "at least"),
        ("fewer-than", "more-than", "at most"),
        ("exact", "more-than", "at most"),
        ("exact", "exact", "exactly"),
        ("about", "nearly", "at least about"),  # the one bound rule (evidence.hedges.direction)
        ("more-than", "more-than", "not bounded"),
    ],
)
def test_share_direction_follows_the_hedges(top, bottom, direction):
    share = typology.share_bound(claim(value=1.0, qualifier=top), claim(value=4.0, qualifier=bottom))
    assert share.percent == 25.0 and share.direction == direction


def test_share_words():
    assert typology.Share(25.86, "at least").words() == "at least about 26 per cent"
    assert typology.Share(25.0, "exactly").words() == "25 per cent"
    assert typology.Share(30.4, "about").words() == "about 30 per cent"
    assert typology.Share(30.4, "at most about").words() == "at most about 30 per cent"
    assert typology.Share(30.4, "not bounded").words() == "about 30 per cent (the hedges point both ways)"


# --------------------------------------------------------------------------- the notebook: numbering and layout


def test_every_table_and_chart_is_named_for_sphinx_and_referred_to_by_numref(chapter):
    text = CHAPTER.read_text(encoding="utf-8")
    tables = [value.name for _, value in chapter.outputs if isinstance(value, Table)]
    figures = [m["mystnb"]["figure"] for m, value in chapter.outputs if isinstance(value, Figure)]
    assert len(tables) >= 10 and len(figures) == 3
    assert all(name and name.startswith("tbl-typology-") for name in tables)
    assert all(f["name"].startswith("fig-typology-") and f["caption"] for f in figures)
    names = tables + [f["name"] for f in figures]
    assert len(set(names)) == len(names)
    referred = set(re.findall(r"\{numref\}`([^`]+)`", prose(text) + text))
    assert set(names) <= referred, set(names) - referred


def test_no_number_is_typed_before_a_table_or_figure():
    text = CHAPTER.read_text(encoding="utf-8")
    assert re.findall(r"\b(?:Table|Figure|Fig\.)\s+\d", text) == []


def _cell_defining(chapter: Chapter, name: str):
    pattern = re.compile(rf"^{re.escape(name)}\s*=|^def {re.escape(name)}\(", re.M)
    return next(cell for cell in chapter.cells if pattern.search(cell.source))


@pytest.mark.parametrize("name", ["crosswalk", "readings", "ROUTES", "CHALLENGES", "CAT_FIGURES", "share_of",
                                  "returnee_share", "western_europeans"])
def test_the_book_s_inferences_and_codings_are_in_open_cells(chapter, name):
    """The mapping, the readings, the codings and the shares are the book's: shown, never folded or removed."""
    cell = _cell_defining(chapter, name)
    assert not cell.metadata.get("tags"), (name, cell.metadata.get("tags"))


@pytest.mark.parametrize("name", ["matrix_chart", "side_by_side", "summaries_compared", "cat_chart", "outcomes_chart"])
def test_long_helpers_are_folded_not_removed(chapter, name):
    assert _cell_defining(chapter, name).metadata.get("tags") == ["hide-input"]


def test_chapter_names_only_ledger_claims_in_prose_and_code(evidence, chapter):
    text = CHAPTER.read_text(encoding="utf-8")
    for claim_id in set(CLAIM_ID.findall(text)) - set(evidence.sources.index):  # a source id is cited, not quoted
        evidence.claim(claim_id)
    names = set(re.findall(r"\{glue:text\}`([a-z_]+)", text))
    assert names and names <= set(chapter.glued)


# --------------------------------------------------------------------------- the notebook's tables


def test_side_by_side_has_one_row_per_path_and_every_type_appears_with_whose_words(evidence, ns, table):
    grid = ns["side_by_side"](ns["crosswalk"])
    assert list(grid.iloc[:, 0]) == list(paths(evidence).values())
    cells = list(grid.iloc[:, 1:].to_numpy().ravel())
    text = " ".join(cells)
    for label, claim_id in zip(table["type_label"], table["claim_id"]):
        words = credit(evidence.claim(claim_id), evidence.sources)
        assert any(typology.curly(label) in cell and f"[{words}]" in cell for cell in cells), label
    assert "[TalkLeft blogger, paraphrasing The Atlantic (Clarke and Amarasingam)]" in text


def test_summaries_compared_marks_the_disengaged_discrepancy(evidence, ns):
    compared = ns["summaries_compared"](ns["crosswalk"]).set_index("Common path (the book's)")
    labels = paths(evidence)
    disengaged = compared.loc[labels["return-disengaged"]]
    assert disengaged["Difference"] == "a separate type in the Daily Caller; part of another type in TalkLeft"
    assert disengaged["TalkLeft (undated; by 2017-03-08)"].endswith("(within this type)")
    assert compared.loc[labels["join-other-group"], "Difference"] == "only TalkLeft has it"


def test_readings_give_each_summary_s_count_as_the_article_s_in_turn(evidence, chapter):
    counts = typology.returnee_type_counts(evidence)
    readings = chapter.shown("tbl-typology-readings").frame
    assert list(readings["Kinds of returnee in the article"]) == [
        str(counts["atlantic-via-dailycaller"]), str(counts["atlantic-via-talkleft"]), "no count"]
    assert chapter.glued["tl_returnee_types"] == counts["atlantic-via-talkleft"]
    assert chapter.glued["dc_returnee_types"] == counts["atlantic-via-dailycaller"]


def test_threats_lists_only_stated_threats_with_whose_words(evidence, ns, table):
    threats = ns["threats"]
    assert len(threats) == (table["threat_as_stated"] != "").sum()
    for ledger_id, stated, words in zip(threats["Ledger"], threats["Threat as stated"], threats["Whose words"]):
        claim = evidence.claim(ledger_id)
        assert quotes.normalise(stated.strip("“”")) in quotes.normalise(claim["quote"])
        assert words == credit(claim, evidence.sources)
    blogger = threats[threats["Threat as stated"] == "“not a physical threat”"]
    assert list(blogger["Whose words"]) == ["TalkLeft blogger, paraphrasing The Atlantic (Clarke and Amarasingam)"]


def test_challenges_keep_the_paper_s_order_and_quotes(evidence, ns):
    frame = ns["challenges"]
    assert [c[0] for c in frame["Challenge"]] == sorted(c[0] for c in frame["Challenge"])
    for ledger_id, shown in zip(frame["Ledger"], frame["In the paper's words"]):
        assert evidence.claim(ledger_id)["source_id"] == "policy-paper-2017"
        assert shown == typology.curly(evidence.claim(ledger_id)["quote"])


def test_forecasts_are_rasmussen_s_in_date_order_credited_to_their_voice(evidence, ns):
    frame = ns["forecasts"]
    assert list(frame["Stated"]) == sorted(frame["Stated"])
    assert {evidence.claim(c)["speaker"] for c in frame["Ledger"]} == {"Nicholas Rasmussen (NCTC)"}
    assert list(frame["Whose words"]) == [credit(evidence.claim(c), evidence.sources) for c in frame["Ledger"]]


def test_routes_quote_both_sides_each_credited(evidence, chapter, ns):
    frame = chapter.shown("tbl-typology-routes").frame
    sides = frame.groupby("Route (the book's heading)")["Ledger"].apply(list).to_dict()
    assert {"pp-scenario-5-dispatched-abroad", "tl-atlantic-paris-2015-example"} <= set(sides[ns["SENT"]])
    assert {"npr-context-attacks-without-travel", "npr-context-recent-attacks-model"} <= set(sides[ns["AT_HOME"]])
    assert sides[ns["BOTH"]] == ["pp-home-grown-radicals"]
    for ledger_id, shown, words in zip(frame["Ledger"], frame["In the source's words"], frame["Whose words"]):
        assert shown == f"“{evidence.claim(ledger_id)['quote']}”"
        assert words == credit(evidence.claim(ledger_id), evidence.sources)
    assert "NPR (Greg Myre)" in list(frame["Whose words"])


def test_operational_wording_is_verbatim_and_credited(ns):
    wording = ns["OPERATIONAL_WORDING"]
    frame = ns["operational_wording"](wording)
    assert list(frame["Ledger"]) == list(wording)
    assert frame.set_index("Ledger").loc["tl-blogger-biggest-threat", "Whose words"].startswith("TalkLeft blogger")
    changed = {**wording, "dc-atlantic-operational-most-dangerous": "the most deadly"}
    with pytest.raises(ValueError, match="not verbatim in the quote of dc-atlantic-operational-most-dangerous"):
        ns["operational_wording"](changed)


def test_crosswalk_detail_credits_each_label(ns, table):
    frame = ns["detail"]
    disillusioned = frame["Type [whose words]"][list(table["row_id"]).index("tl-disillusioned")]
    assert disillusioned == "“disillusioned” [TalkLeft blogger, paraphrasing The Atlantic (Clarke and Amarasingam)]"


# --------------------------------------------------------------------------- the notebook's figures and shares


def test_returnee_share_is_cat_returnees_over_departures_by_the_one_bound_rule(evidence, chapter, ns):
    share = ns["returnee_share"]
    returnees, departures = evidence.claim("tl-cat-eu-returnees"), evidence.claim("tl-cat-eu-departures")
    assert share.percent == pytest.approx(100 * returnees["value"] / departures["value"])
    assert share.direction == "at least"  # "more than" returnees over "almost" departures
    assert share == typology.share_bound(returnees, departures)  # the introduction's share is the same
    assert chapter.glued["returnee_share"] == share.words()


def test_french_share_in_syria_or_iraq_is_about_either_way(ns):
    assert ns["in_theatre_share"].direction == "about"  # 689 (exact) of "About 2,300"
    assert ns["in_theatre_share"].words() == "about 30 per cent"


def test_western_europeans_inferred_from_two_hedged_figures_are_worded_by_the_bound_rule(evidence, chapter, ns):
    """Over 20 per cent of an estimated 40,000: at least about 8,000, not 'more than' (the total is approximate)."""
    implied = evidence.value("pp-origin-western-europe-share") / 100 * evidence.value("pp-stock-total-people")
    assert ns["western_europeans"] == implied
    assert chapter.glued["pp_we_implied"] == f"at least about {implied:,.0f}"
    row = ns["european"].iloc[2]
    assert row["A: policy paper (undated)"].startswith(f"at least about {implied:,.0f} (inferred: ")
    assert row["Ratio B/A"] == f"at most about {evidence.value('tl-cat-eu-departures') / implied:.2f}"


def test_european_comparison_recomputes_gap_and_ratio(evidence, ns):
    frame = ns["european"]
    france, involved = evidence.value("pp-origin-france"), evidence.value("tl-cat-france-involved")
    assert frame.loc[0, "B minus A"] == f"{involved - france:,.0f}"
    assert frame.loc[0, "Ratio B/A"] == f"{involved / france:.2f}"
    assert len(frame) == 3


def test_cat_table_covers_every_cat_figure_with_its_ledger_value(evidence, ns):
    frame = ns["cat_table"]
    cat = evidence.claims[evidence.claims["speaker"].str.startswith("CAT") & evidence.claims["value"].notna()]
    assert set(frame["Ledger"]) == set(cat["claim_id"])
    for ledger_id, shown in zip(frame["Ledger"], frame["Figure as stated"]):
        assert f"{evidence.value(ledger_id):,.0f}" in shown


def _walk(spec):
    if isinstance(spec, dict):
        for key, value in spec.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _walk(item)


@pytest.fixture(scope="module")
def figures(chapter):
    return [chapter.shown(name) for name in ("fig-typology-matrix", "fig-typology-cat", "fig-typology-outcomes")]


def _encodings(spec):
    """(channel, definition) of every encoding of a chart's layers."""
    for layer in spec.get("layer", [spec]):
        yield from layer.get("encoding", {}).items()


def test_every_legend_tells_its_kinds_apart_by_shape_as_well_as_colour(figures):
    """A colour-blind reader matches a legend entry to the marks by the symbol's shape: every field that
    colours the marks also gives a symbol its shape, in one legend (same title), a different shape each."""
    for figure in figures:
        encodings = list(_encodings(figure.spec))
        colours = {e["field"]: e for channel, e in encodings if channel == "color" and "field" in e}
        shapes = {e["field"]: e for channel, e in encodings if channel == "shape" and "field" in e}
        assert colours, figure.name
        for field, colour in colours.items():
            assert field in shapes, (figure.name, field)
            shape = shapes[field]
            assert shape.get("title") == colour.get("title"), (figure.name, field)
            assert shape["scale"]["domain"] == colour["scale"]["domain"], (figure.name, field)
            assert len(set(shape["scale"]["range"])) == len(shape["scale"]["domain"]), (figure.name, field)


def test_no_chart_fixes_what_the_phone_layout_adjusts(figures):
    """evidence-charts.js redraws a single or layered chart with a numeric width at its column's width, caps
    y-axis labels and stacks legends: a chart must not be a concat or facet, nor fix label limits or legend
    placement in its encodings (the shared theme's config is the script's to override)."""
    for figure in figures:
        spec = {key: value for key, value in figure.spec.items() if key != "config"}
        assert not {"hconcat", "vconcat", "concat", "facet", "repeat"} & set(spec), figure.name
        assert isinstance(spec["width"], int), figure.name
        assert not [value for key, value in _walk(spec) if key == "labelLimit"], figure.name
        legends = [value for key, value in _walk(spec) if key == "legend" and isinstance(value, dict)]
        assert not [legend for legend in legends if {"orient", "direction", "columns"} & set(legend)], figure.name


def test_time_axes_carry_the_year(figures):
    """None of this chapter's charts has a time axis today; one added later must show the year on its ticks."""
    for figure in figures:
        for channel, encoding in _encodings(figure.spec):
            if isinstance(encoding, dict) and encoding.get("type") == "temporal":
                assert "%Y" in ((encoding.get("axis") or {}).get("format") or ""), (figure.name, channel)


NARROW_CHARS = 14  # characters of the matrix's 10 px labels that fit one column on a 390 px wide phone


def test_matrix_labels_are_broken_to_fit_a_phone_column_and_rows_are_tall_enough(figures):
    spec = figures[0].spec
    rows = next(iter(spec["datasets"].values()))
    text = next(layer for layer in spec["layer"] if layer["encoding"].get("text", {}).get("field") == "cell_text")
    line_height, first_line = text["mark"]["lineHeight"], text["mark"]["dy"]
    for row in rows:
        lines = row["cell_text"].split("\n")
        assert " ".join(lines) == row["type_label"]  # the source's words whole, only broken into lines
        assert all(len(line) <= NARROW_CHARS or " " not in line for line in lines), lines
        assert row["cell_bottom"] - row["cell_top"] >= first_line + len(lines) * line_height, row["type_label"]


def test_matrix_has_one_cell_per_type_and_second_path(ns, table):
    data = ns["matrix_data"](ns["crosswalk"])
    assert len(data) == len(table) + (table["also_path"] != "").sum()
    assert data["quote_shown"].str.startswith("“").all()


def test_matrix_alt_text_says_where_each_framework_has_nothing(evidence, figures):
    labels = paths(evidence)
    alt_text = figures[0].alt_text
    assert f"Atlantic via Daily Caller: a type on 4 of the 6 paths; nothing on {labels['stay']}" in alt_text
    assert f"{labels['return-disengaged']} only through a sub-group" in alt_text


def test_charts_carry_tooltips_with_quotes_alt_text_and_palette_colours(figures):
    for figure in figures:
        spec = figure.spec
        marks = [m if isinstance(m, str) else m["type"] for m in (layer["mark"] for layer in spec.get("layer", [spec]))]
        assert marks[0] in ("rect", "bar"), figure.name
        tooltips = [v for k, v in _walk(spec) if k == "tooltip" and isinstance(v, list)]
        assert tooltips and all(any(t.get("field") == "quote_shown" for t in tip) for tip in tooltips)
        dataset = next(iter(spec["datasets"].values()))
        assert all(row["quote_shown"].startswith("“") for row in dataset)
        colours = {v.lower() for _, v in _walk(spec) if isinstance(v, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", v)}
        assert colours <= {c.lower() for c in PALETTE} | {"#ffffff", "#444444", "#222222", "#e6e6e6"}, figure.name
        assert all(v <= 560 for k, v in _walk(spec) if k == "width" and isinstance(v, (int, float)))
        assert figure.alt_text and len(figure.data) > 0
        assert not re.search(r"\b(?:Figure|Fig\.|Table)\s+\d", json.dumps(spec["title"]))


def test_cat_chart_labels_show_the_hedge_words_and_its_alt_text_comes_from_the_ledger(evidence, figures):
    data = next(iter(figures[1].spec["datasets"].values()))
    shown = {row["claim_id"]: row["as_stated"] for row in data}
    assert shown["tl-cat-eu-departures"].startswith("almost")
    assert shown["tl-cat-eu-returnees"].startswith("more than")
    assert f"EU departures: {shown['tl-cat-eu-departures']}" in figures[1].alt_text


def test_matrix_tooltips_say_whose_words_label_and_threat_are(evidence, ns):
    data = ns["matrix_data"](ns["crosswalk"]).set_index(["framework", "path"])
    disillusioned = data.loc[("Atlantic via TalkLeft", paths(evidence)["return-disillusioned"])]
    words = "TalkLeft blogger, paraphrasing The Atlantic (Clarke and Amarasingam)"
    assert disillusioned["label_credit"] == words
    assert disillusioned["threat"] == f"“not a physical threat” ({words})"
    assert "()" not in " ".join(data["threat"])


# --------------------------------------------------------------------------- the chapter's prose


def test_prose_length_is_within_the_brief():
    words = re.findall(r"[A-Za-z0-9][\w'’.,-]*", prose(CHAPTER.read_text(encoding="utf-8")))
    assert 1500 <= len(words) <= 3000


def test_chapter_quotes_the_returnee_then_the_caution_and_shows_the_new_tables(chapter):
    text = CHAPTER.read_text(encoding="utf-8")
    returnee = text.index("```{claim-quote} tl-returnee-would-probably-go")
    caution = text.index("```{claim-quote} tl-altamimi-media-access-prisoners")
    assert returnee < caution
    assert "blogger" in text[returnee:caution]  # the blogger introduces Al-Tamimi's words
    for name in ("tbl-typology-routes", "tbl-typology-operational", "tbl-typology-threats"):
        assert len(chapter.shown(name).frame) > 0


PAGE = ROOT / "_build" / "html" / "chapters" / "returnee-typology.html"


@pytest.mark.skipif(not PAGE.exists(), reason="build the book first: make html")
def test_every_numref_on_the_built_page_links_to_a_numbered_table_or_figure():
    """A {numref} Sphinx cannot resolve is printed as its raw name in code type: none may be left."""
    page = PAGE.read_text(encoding="utf-8")
    assert not re.search(r'std-numref[^>]*><span class="pre">', page)
    links = dict(re.findall(r'href="#((?:tbl|fig)-typology-[a-z-]+)"><span class="std std-numref">([^<]+)</span>', page))
    assert len(links) >= 14
    for name, shown in links.items():
        assert re.fullmatch(r"(Table|Fig\.) \d+\.\d+", shown), (name, shown)
        assert f'id="{name}"' in page


# What a chart draws, measured in the page: its width against its column's; every text of its marks, axes
# and legends inside the drawing (the title and source line are re-wrapped by evidence-charts.js, not here);
# a label in a matrix cell inside its cell, clear of the cell's white border; nothing cut short with "…".
MEASURE_CHARTS = """() => [...document.querySelectorAll('.evidence-chart-canvas')].map(canvas => {
  const svg = canvas.querySelector('svg'), box = svg.getBoundingClientRect();
  const texts = [...svg.querySelectorAll('g.mark-text text')]
    .filter(t => !t.closest('.role-title-text, .role-title-subtitle'));
  const cells = [...svg.querySelectorAll('g.mark-rect path')].map(c => c.getBoundingClientRect());
  const outside = [], spilling = [];
  for (const t of texts) {
    const b = t.getBoundingClientRect();
    if (b.left < box.left - 0.5 || b.right > box.right + 0.5) outside.push(t.textContent);
    if (!t.closest('.role-mark')) continue;
    const x = b.left + b.width / 2, y = b.top + b.height / 2;
    const cell = cells.find(c => x > c.left && x < c.right && y > c.top && y < c.bottom);
    if (cell && (b.left < cell.left + 1.5 || b.right > cell.right - 1.5 || b.top < cell.top + 1.5
                 || b.bottom > cell.bottom - 1.5)) spilling.push(t.textContent);
  }
  return {container: canvas.clientWidth, drawn: Math.ceil(box.width), outside, spilling,
          cut: texts.map(t => t.textContent).filter(words => words.includes('…'))};
})"""


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.skipif(not PAGE.exists(), reason="build the book first: make html")
@pytest.mark.parametrize("width", [390, 1280])
def test_charts_fit_their_column_and_no_label_spills_on_a_phone_or_a_page(browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 600)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
               else route.abort())
    page.goto(PAGE.as_uri())
    page.wait_for_load_state("load")
    canvases = page.locator(".evidence-chart-canvas")
    for index in range(canvases.count()):
        canvases.nth(index).locator("svg").first.wait_for(timeout=15000)
    charts = page.evaluate(MEASURE_CHARTS)
    context.close()
    assert len(charts) == 3
    for chart in charts:
        assert 0 < chart["drawn"] <= chart["container"], chart
        assert not chart["outside"] and not chart["spilling"] and not chart["cut"], chart
