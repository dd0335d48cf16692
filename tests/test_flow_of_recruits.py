"""The flow-of-recruits chapter: its notebook's tables, charts and inferences agree with the ledger.

The chapter's analysis lives in its notebook (``chapters/flow-of-recruits.md``), so the tests execute
the notebook's code cells, as the book's kernel does, and read what they define: the tables and charts
(by the name Sphinx numbers them under), the book's inferences and the values glued into the prose. A
test that needs other data runs the notebook again on that evidence base.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from myst_nb.core.read import read_myst_markdown_notebook

import evidence as package
from conftest import DATA, ROOT
from evidence import book, hedges, load, quotes

CHAPTER = ROOT / "chapters" / "flow-of-recruits.md"


# --------------------------------------------------------------------------- running the notebook


@dataclass
class Chapter:
    """What the chapter's notebook leaves behind: its names, its outputs by Sphinx name, its glued values."""

    names: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)  # "fig-flow-…" / "tbl-flow-…" -> Figure / Table
    glued: dict = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.names[name]


def code_cells() -> list:
    notebook = read_myst_markdown_notebook(CHAPTER.read_text(encoding="utf-8"))
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def run_chapter(evidence) -> Chapter:
    """Execute the chapter's code cells in one namespace, with ``load()`` returning ``evidence``.

    A cell's last expression is its output, as in Jupyter; a chart is filed under its cell's figure
    name, a table under its own name.
    """
    chapter = Chapter(names={"__name__": "flow_of_recruits"})
    book.GLUED.clear()
    original = package.load
    package.load = lambda *args, **kwargs: evidence
    try:
        for cell in code_cells():
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, str(CHAPTER), "exec"), chapter.names)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), str(CHAPTER), "eval"), chapter.names)
                name = cell.metadata.get("mystnb", {}).get("figure", {}).get("name") or getattr(value, "name", None)
                chapter.outputs[name] = value
    finally:
        package.load = original
    chapter.glued = dict(book.GLUED)
    return chapter


@pytest.fixture(scope="module")
def evidence():
    return load(DATA)


@pytest.fixture(scope="module")
def chapter(evidence):
    return run_chapter(evidence)


def claim_ids_in(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]


# --------------------------------------------------------------------------- hedges


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("more-than", "about", "at most about"),  # over 30,000 vs about 40,000
        ("nearly", "more-than", "at least"),  # close to 90 vs more than 100
        ("about", "about", "about"),
        ("exact", "fewer-than", "at most"),
        ("fewer-than", "exact", "at least"),
        ("more-than", "more-than", "not bounded"),
        ("fewer-than", "nearly", "not bounded"),
        ("range", "about", "not bounded"),
    ],
)
def test_gap_reading_follows_the_books_one_bound_rule(chapter, a, b, expected):
    assert chapter["gap_reading"](a, b) == expected


def test_implied_count_keeps_the_hedge(chapter):
    implied_count, in_words = chapter["implied_count"], chapter["in_words"]
    total = pd.Series({"value": 1000.0, "qualifier": "about"})
    assert implied_count(pd.Series({"value": 20.0, "qualifier": "more-than"}), total) == (200.0, "at least about")
    assert implied_count(pd.Series({"value": 50.0, "qualifier": "exact"}), total) == (500.0, "about")
    exact_total = pd.Series({"value": 1000.0, "qualifier": "exact"})
    assert implied_count(pd.Series({"value": 10.0, "qualifier": "fewer-than"}), exact_total) == (100.0, "at most")
    assert implied_count(pd.Series({"value": 10.0, "qualifier": "exact"}), exact_total) == (100.0, "exactly")
    assert in_words("exactly", "100") == "100" and in_words("at most", "100") == "at most 100"


# --------------------------------------------------------------------------- the notebook as a reader opens it


def imported_modules(text: str) -> set[str]:
    """The evidence modules a chapter's code imports ('from evidence import a, b', 'from evidence.x import …')."""
    names = set(re.findall(r"from evidence\.(\w+) import", text))
    for group in re.findall(r"from evidence import ([\w, ]+)", text):
        names |= {n.strip() for n in group.split(",")}
    return names


def test_no_module_of_the_package_holds_this_chapters_claim_ids(evidence, chapter):
    """The chapter's claim selections are in its notebook: no module it shares with the book names one of its claims.

    Checked: every module of evidence/ except the chapter modules other chapters import (their claim ids are theirs).
    """
    assert not (ROOT / "evidence" / "origins.py").exists()
    mine = imported_modules(CHAPTER.read_text(encoding="utf-8"))
    others = [p.read_text(encoding="utf-8") for p in (ROOT / "chapters").glob("*.md") if p != CHAPTER]
    theirs = set().union(*(imported_modules(t) for t in others)) - mine
    assert mine <= {"load", "quotes", "voices", "book", "charts", "display", "hedges", "tables"}, mine
    own = {i for i in chapter_claim_ids(evidence, chapter) if not any(i in t for t in others)}
    assert "pp-origin-region-half" in own  # the check can find one
    for module in (ROOT / "evidence").rglob("*.py"):
        if module.parent.name == "evidence" and module.stem in theirs:
            continue
        text = module.read_text(encoding="utf-8")
        assert not [i for i in own if i in text], module.name


def tags(cell) -> set[str]:
    return set(cell.metadata.get("tags", []))


def cell_assigning(name: str):
    """The code cell that first assigns ``name`` at top level."""
    for cell in code_cells():
        for node in ast.parse(cell.source).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return cell
    raise AssertionError(f"no cell assigns {name}")


@pytest.mark.parametrize(
    "name",
    ["scopes", "stock_gap", "isis_gap", "countries_gap", "flow_2016_share_of_gap", "split", "orders_agree", "bounds",
     "us_share"],
)
def test_the_books_inferences_are_in_visible_cells(name):
    """The readings of the totals, the headcount arithmetic, the NBER readings and the US share: no hide or remove tag."""
    assert not tags(cell_assigning(name)), name


def test_only_set_up_and_glue_cells_are_removed():
    for cell in code_cells():
        if "remove-cell" in tags(cell):
            calls = [n.func.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
            assert "glue" in calls or "glue_claims" in calls, cell.source[:80]
            assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in ast.parse(cell.source).body)


def test_tables_and_charts_are_named_for_sphinx_and_referred_to_by_numref(chapter):
    text = CHAPTER.read_text(encoding="utf-8")
    figures = [c.metadata["mystnb"]["figure"] for c in code_cells() if "figure" in c.metadata.get("mystnb", {})]
    assert len(figures) == 3 and all(f["name"].startswith("fig-flow-") and f["caption"].strip() for f in figures)
    tables = [name for name in chapter.outputs if name and name.startswith("tbl-")]
    assert sorted(tables) == ["tbl-flow-nber", "tbl-flow-regional", "tbl-flow-totals", "tbl-flow-us"]
    assert set(chapter.outputs) - {None} == {f["name"] for f in figures} | set(tables)
    for name in chapter.outputs.keys() - {None}:
        assert f"{{numref}}`{name}`" in text, name
    assert set(re.findall(r"\{numref\}`([^`]+)`", text)) <= set(chapter.outputs)
    assert not re.search(r"\b(Table|Figure|Fig\.) \d+\.\d+", text)  # no typed numbers, in prose or code
    for figure in (chapter.outputs[f["name"]] for f in figures):
        assert not re.match(r"(Figure|Fig\.) ?\d", figure.spec["title"]["text"])


def test_every_glued_name_in_the_prose_is_glued(chapter):
    used = set(re.findall(r"\{glue:text\}`([^`]+)`", CHAPTER.read_text(encoding="utf-8")))
    assert used <= set(chapter.glued), used - set(chapter.glued)


def test_the_glued_inferences_follow_the_ledger(evidence, chapter):
    intel, npr = evidence.value("intel-stock-30000-people"), evidence.value("npr-stock-total")
    number = book.number
    assert chapter.glued["stock_gap"] == f"at most about {number(npr - intel)}"
    assert chapter.glued["stock_ratio"] == f"at most about {npr / intel:.2f}"
    assert chapter.glued["isis_gap"] == f"at most about {number(npr - intel / 2)}"
    assert chapter.glued["countries_gap"] == f"at least {number(evidence.value('npr-stock-countries') - evidence.value('intel-stock-90-countries'))}"
    assert chapter.glued["us_share"] == f"about {evidence.value('npr-us-250-attempted') / npr * 100:.1f}"
    assert chapter.glued["orders_agree"] == "in the order in which"
    assert chapter.glued["n_nber"] == "five" and chapter.glued["n_named"] == "eight"


PAGE = ROOT / "_build" / "html" / "chapters" / "flow-of-recruits.html"


@pytest.mark.book
@pytest.mark.skipif(not PAGE.exists(), reason="build the book first: make html")
def test_the_built_page_numbers_every_table_and_chart_and_resolves_every_numref():
    page = PAGE.read_text(encoding="utf-8")
    numbers = re.findall(r'<span class="caption-number">(Table|Fig\.) ([\d.]+) </span>', page)
    assert sorted(kind for kind, _ in numbers) == ["Fig."] * 3 + ["Table"] * 4, numbers
    links = re.findall(r'href="#((?:tbl|fig)-flow-[a-z-]+)"><span class="std std-numref">([^<]+)</span>', page)
    assert {name for name, _ in links} == set(re.findall(r"\{numref\}`([^`]+)`", CHAPTER.read_text(encoding="utf-8")))
    for name, shown in links:
        assert re.fullmatch(r"(Table|Fig\.) \d+\.\d+", shown), (name, shown)
        assert f'id="{name}"' in page
    assert not re.search(r'std-numref[^>]*><span class="pre">', page)  # an unresolved numref prints its name


# --------------------------------------------------------------------------- the figures are stated in their quotes


def chapter_claim_ids(evidence, chapter) -> set[str]:
    """Every claim the chapter's notebook or text uses."""
    text = CHAPTER.read_text(encoding="utf-8")
    ids = set(re.findall(r'"([a-z]+-[a-z0-9-]+)"', text)) | set(re.findall(r"claim-quote\} (\S+)", text))
    ids |= set(chapter["totals"]["claim_id"]) | set(chapter["country_counts"]["claim_id"])
    ids |= set(chapter["members"]["claim_id"]) | set(chapter["unquantified"]["claim_id"])
    scopes = evidence.tables["scopes"]
    ids |= set(scopes["claim_id"]) | set(scopes["words_claim"])
    return {i for i in ids if i in evidence.claims.index}


def test_every_figure_the_chapter_uses_is_written_in_its_quote(evidence, chapter):
    """No rank read from list order, no number the quoted words do not state (value, lower, upper)."""
    for claim_id in chapter_claim_ids(evidence, chapter):
        claim = evidence.claim(claim_id)
        stated = hedges.stated_numbers(claim["quote"])
        for column in ("value", "lower", "upper"):
            if pd.notna(claim[column]):
                assert float(claim[column]) in stated, (claim_id, column, claim[column], claim["quote"])


def test_the_nber_rows_state_membership_and_the_list_states_five(evidence, chapter):
    members, nber_list = chapter["members"], chapter["nber_list"]
    assert nber_list["claim_id"] == "dc-nber-top-five"
    assert members["value"].isna().all() and (members["unit"] == "").all()  # no rank in the ledger
    assert len(members) == evidence.value("dc-nber-top-five")  # "the top five": five rows
    assert set(members["quote"]) <= {q for q in evidence.claims["quote"] if q in nber_list["quote"]}


def test_belgium_per_capita_is_a_statement_not_a_figure(evidence):
    claim = evidence.claim("dc-origin-belgium-per-capita")
    assert pd.isna(claim["value"]) and not claim["unit"] and not claim["qualifier"]


# --------------------------------------------------------------------------- the stock


def test_stock_estimates_are_every_headcount_total_oldest_first(evidence, chapter):
    rows = chapter["totals"]
    claims = evidence.claims
    expected = claims[(claims["topic"] == "stock") & (claims["unit"] == "people") & claims["value"].notna()]
    paired = {i for _, a, b in chapter["stock_pairs"] for i in (a, b) if evidence.claim(i)["unit"] == "people"}
    assert set(rows["claim_id"]) == set(expected["claim_id"]) == paired
    assert rows.iloc[0]["claim_id"] == "intel-stock-30000-people"  # refers to end-2015, the oldest
    assert rows.set_index("claim_id").loc["intel-stock-30000-people", "kind"] == chapter["LOWER"]
    assert all(q.startswith("“") and q.endswith("”") for q in rows["quote_shown"])


def test_scope_words_are_in_the_quotes_they_cite(evidence):
    scopes = evidence.tables["scopes"]
    assert len(scopes) >= 9
    for row in scopes.itertuples(index=False):
        evidence.claim(row.claim_id)
        assert quotes.normalise(row.words) in quotes.normalise(evidence.claim(row.words_claim)["quote"]), row.claim_id
    shares = scopes.set_index("claim_id").loc[["pp-origin-region-half", "pp-origin-western-europe-share"]]
    assert (shares["words_claim"] == shares.index).all() and (shares["reading"] != "").all()


def test_the_chapter_stops_on_scope_words_not_in_their_quote(data_copy):
    rows = data_copy.rows("scopes.csv")
    rows[0]["words"] = "to fight for ISIS alone"
    data_copy.write("scopes.csv", rows)
    with pytest.raises(ValueError, match="to fight for ISIS alone"):
        run_chapter(load(data_copy.path))


def test_stock_comparison_matches_the_ledger(evidence, chapter):
    frame = chapter["stock_comparison"]
    for row, (_, id_a, id_b) in zip(frame.itertuples(index=False), chapter["stock_pairs"]):
        a, b = evidence.value(id_a), evidence.value(id_b)
        assert row[frame.columns.get_loc("B minus A")] == f"{b - a:,.0f}"
        assert row[frame.columns.get_loc("Ratio B/A")] == f"{b / a:.2f}"
        assert claim_ids_in(row[frame.columns.get_loc("Claims")]) == [id_a, id_b]
    readings = dict(zip(frame["Quantity"], frame["How to read the gap"]))
    assert readings["Total: intelNews vs NPR"].startswith("at most about (A: lower bound")
    assert readings["Countries of origin: intelNews vs NPR"].startswith("at least (")
    scopes = dict(zip(frame["Quantity"], frame["What A counts"]))
    assert "Sunni-inspired opposition groups" in scopes["Total: intelNews vs NPR"]
    shown = chapter.outputs["tbl-flow-totals"].frame
    assert "Source A" not in shown.columns and list(shown["Quantity"]) == list(frame["Quantity"])


def with_voices(data_copy):
    """A copy of the data in which some claims carry voice and mode, as the voices data gives them."""
    data_copy.edit_claim("intel-stock-30000-people", voice="intelNews (Joseph Fitsanakis)", mode="narration")
    data_copy.edit_claim("npr-us-fbi-thousand-cases", voice="NPR (Greg Myre)", mode="reported-speech")
    data_copy.edit_claim("dc-nber-top-five", voice="Daily Caller (Jonah Bennett)", mode="paraphrase")
    data_copy.edit_claim("pp-origin-western-europe-share", voice="Policy paper author(s)", mode="narration")
    return load(data_copy.path)


def test_tables_and_tooltips_name_the_voice_with_credit(data_copy):
    chapter = run_chapter(with_voices(data_copy))
    compact = chapter.outputs["tbl-flow-totals"].frame
    assert compact.iloc[0]["Figure A"].startswith("over 30,000 (intelNews (Joseph Fitsanakis); intelNews.org")
    us = chapter["us_figures"].set_index("Claim")
    assert us.loc["npr-us-fbi-thousand-cases", "Whose words, where"].startswith(
        "NPR (Greg Myre), reporting what Nicholas Rasmussen (NCTC) said"
    )
    stock = chapter.outputs["fig-flow-totals"].data.set_index("Claim")
    assert stock.loc["intel-stock-30000-people", "Whose words"] == "intelNews (Joseph Fitsanakis)"
    russia = chapter.outputs["fig-flow-countries"].data.set_index("Country").loc["Russia"]
    assert russia["Whose words"] == "Daily Caller (Jonah Bennett), paraphrasing NBER study (2016)"
    regional = chapter.outputs["fig-flow-regional"].data.set_index("Group")
    assert regional.loc["Western Europe", "Whose words"] == "Policy paper author(s)"


def test_stock_chart_draws_the_lower_bound_as_a_rule(chapter):
    figure = chapter.outputs["fig-flow-totals"]
    layers = figure.spec["layer"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers]
    assert marks[0] == "point" and "rule" in marks
    assert "lower bound" in figure.alt_text
    assert set(figure.data["Claim"]) == set(chapter["totals"]["claim_id"])
    tooltip = [t["field"] for t in layers[0]["encoding"]["tooltip"]]
    assert {"Figure", "Qualifier", "Quote", "Source", "Whose words", "What it counts"} <= set(tooltip)


# --------------------------------------------------------------------------- origins


def test_country_counts_are_the_policy_papers_people_counts(evidence, chapter):
    counts = chapter["country_counts"]
    claims = evidence.claims
    expected = claims[
        (claims["source_id"] == "policy-paper-2017") & (claims["topic"] == "origin") & (claims["unit"] == "people")
    ]
    assert set(counts["claim_id"]) == set(expected["claim_id"])
    assert list(counts["value"]) == sorted(counts["value"], reverse=True)


def test_country_regions_follow_the_papers_lists(evidence, chapter):
    regions, group_label = chapter["regions"], chapter["group_label"]
    region = evidence.claim("pp-origin-region-half")["geography"]
    west = evidence.claim("pp-origin-western-europe-share")["geography"]
    assert {c for c, r in regions.items() if r == region} == {"Tunisia", "Saudi Arabia", "Jordan", "Morocco"}
    assert {c for c, r in regions.items() if r == west} == {"France", "United Kingdom", "Germany", "Belgium"}
    assert group_label(region) == "“the region” (not defined by the paper)"
    assert group_label(west) == west


def test_country_region_is_read_from_the_position_of_the_quote(data_copy):
    """Give Morocco the Western European sentence as its quote: it must move to that group."""
    france_quote = next(r["quote"] for r in data_copy.rows("claims.csv") if r["claim_id"] == "pp-origin-france")
    data_copy.edit_claim("pp-origin-morocco", quote=france_quote, value="1800")  # a figure must be in its quote
    regions = run_chapter(load(data_copy.path))["regions"]
    assert regions["Morocco"] == "Western Europe"


def test_listed_order_is_read_from_the_quote(chapter):
    listed_order = chapter["listed_order"]
    quote = "placed Tunisia, Saudi Arabia, Russia, Turkey and Jordan as the top five"
    assert listed_order(quote, ["Jordan", "Tunisia", "Turkey"]) == {"Jordan": 3, "Tunisia": 1, "Turkey": 2}
    with pytest.raises(ValueError, match="Morocco"):
        listed_order(quote, ["Morocco"])


def test_nber_vs_counts_keeps_both_lists_whole(evidence, chapter):
    table = chapter["nber_vs_paper"].set_index("Country")
    top_five, listed, not_counted = chapter["TOP_FIVE"], chapter["LISTED"], chapter["NOT_COUNTED"]
    for _, member in chapter["members"].iterrows():
        assert table.loc[member["geography"], top_five] == "yes"
        assert table.loc[member["geography"], listed] == member["listed"]
    assert list(chapter["members"]["geography"]) == ["Tunisia", "Saudi Arabia", "Russia", "Turkey", "Jordan"]
    for _, count in chapter["country_counts"].iterrows():
        assert table.loc[count["geography"], "Policy paper count"] == f"{count['value']:,.0f}"
    assert table.loc["Russia", "Policy paper count"] == not_counted
    assert "pp-origin-russia-soviet-balkans" in table.loc["Russia", "Claims"]
    assert table.loc["Turkey", "Listed by the paper under"] == "not named as an origin"
    assert table.loc["Morocco", top_five] == "no"
    assert table.loc["Morocco", listed] == chapter["NOT_LISTED"]
    for cell in table["Claims"]:
        for claim_id in claim_ids_in(cell):
            evidence.claim(claim_id)  # raises if unknown
    assert chapter.outputs["tbl-flow-nber"].frame is chapter["nber_vs_paper"]


def test_listed_and_counted_split(chapter):
    assert chapter["in_both"] == ["Tunisia", "Saudi Arabia", "Jordan"]
    assert chapter["listed_only"] == ["Russia", "Turkey"]
    assert "Morocco" in chapter["counted_only"]
    assert chapter["orders_agree"]


def test_orders_agree_can_fail():
    """Jordan counted above Saudi Arabia: the paper's counts no longer follow the Daily Caller's order.

    The ledger would refuse 2,600 (not in the quote), so the loaded table is changed in memory.
    """
    evidence = load(DATA)
    evidence.claims.loc["pp-origin-jordan", "value"] = 2600.0
    chapter = run_chapter(evidence)
    assert not chapter["orders_agree"]
    assert chapter.glued["orders_agree"] == "not in the order in which"


def test_nber_consistency_on_both_readings(evidence, chapter):
    bounds = chapter["bounds"]
    assert bounds["uncounted"] == ["Russia", "Turkey"]
    assert (bounds["floor_country"], bounds["floor"]) == ("Morocco", evidence.value("pp-origin-morocco"))
    jordan, saudi = evidence.value("pp-origin-jordan"), evidence.value("pp-origin-saudi-arabia")
    assert bounds["ordered"]["Russia"] == (jordan, "Jordan", saudi, "Saudi Arabia")
    assert chapter["ordered_bounds_words"](bounds) == "Russia and Turkey each between Jordan's 2,200 and Saudi Arabia's 2,500"
    assert chapter.glued["set_floor"] == "Morocco's 2,000"


def test_nber_consistency_follows_the_counts():
    """A larger Moroccan count raises the floor the set reading puts on Russia and Turkey (changed in memory)."""
    evidence = load(DATA)
    evidence.claims.loc["pp-origin-morocco", "value"] = 2100.0
    bounds = run_chapter(evidence)["bounds"]
    assert (bounds["floor_country"], bounds["floor"]) == ("Morocco", 2100.0)


def test_country_chart_shows_uncounted_members_of_the_top_five(evidence, chapter):
    figure = chapter.outputs["fig-flow-countries"]
    data = figure.data.set_index("Country")
    assert pd.isna(data.loc["Russia", "Count"]) and pd.isna(data.loc["Turkey", "Count"])
    assert data.loc["Tunisia", "Count"] == evidence.value("pp-origin-tunisia")
    assert data.loc["Jordan", "In the NBER top five"] == "yes" and data.loc["Morocco", "In the NBER top five"] == "no"
    assert "rank" not in " ".join(figure.data["Figure"]) and "rank" not in figure.alt_text
    assert "Russia and Turkey" in figure.alt_text
    for cell in figure.data["Claims"]:
        for claim_id in claim_ids_in(cell):
            evidence.claim(claim_id)


# --------------------------------------------------------------------------- the regional split


def test_split_figures_are_sums_and_shares_of_the_ledger(evidence, chapter):
    split = chapter["split"]
    total = evidence.value("pp-stock-total-people")
    counts = chapter["country_counts"]
    assert split["named_sum"] == counts["value"].sum()
    assert split["named_share"] == pytest.approx(counts["value"].sum() / total * 100)
    assert split["region_implied"] == pytest.approx(evidence.value("pp-origin-region-half") / 100 * total)
    assert split["region_named"] == sum(
        evidence.value(f"pp-origin-{c}") for c in ("tunisia", "saudi-arabia", "jordan", "morocco")
    )
    assert split["rest_share"] == 100 - evidence.value("pp-origin-region-half") - evidence.value(
        "pp-origin-western-europe-share"
    )


def test_split_readings_follow_the_hedges(chapter):
    split = chapter["split"]
    assert split["west_reading"] == "at least about"  # "over 20 percent" of an estimated 40,000
    assert split["west_named_share_reading"] == "at most about"
    assert split["rest_share_reading"] == "at most" and split["rest_implied_reading"] == "at most about"


def test_regional_split_names_the_denominators_and_unquantified_groups(evidence, chapter):
    split = chapter["regional_split"].set_index("Group")
    implied = f"Headcount if a share of the {book.number(evidence.value('pp-stock-total-people'))} (book's inference)"
    assert split.loc["Western Europe", implied].startswith("at least about ")
    assert "the group's foreign recruits" in split.loc["Western Europe", "A share of"]
    region = chapter["group_label"](evidence.claim("pp-origin-region-half")["geography"])
    assert "these foreigners" in split.loc[region, "A share of"]
    assert split.loc["Western Europe", "Named countries' share of that headcount (book's inference)"].startswith("at most ")
    unquantified = split[split["A share of"] == "not quantified"]
    assert len(unquantified) == 2
    assert (unquantified[implied] == "none (no figure given)").all()
    for cell in split["Claims"]:
        for claim_id in claim_ids_in(cell):
            evidence.claim(claim_id)
    assert chapter.outputs["tbl-flow-regional"].frame is chapter["regional_split"]


def test_regional_chart_is_labelled_as_inference(chapter):
    figure = chapter.outputs["fig-flow-regional"]
    assert "book's inference" in figure.spec["title"]["text"] and "if both shares" in figure.spec["title"]["text"]
    kinds = dict(zip(figure.data["Group"], figure.data["Kind of figure"]))
    assert kinds["Western Europe"] == chapter["LOWER"]
    assert kinds["all other origins (remainder)"] == chapter["UPPER"]


# --------------------------------------------------------------------------- United States


def test_us_figures_keep_kinds_apart(chapter):
    table = chapter["us_figures"].set_index("Claim")
    assert list(table.index) == list(chapter["us_claims"])
    assert "not foreign fighters" in table.loc["npr-us-fbi-thousand-cases", "Kind"]
    assert table.loc["npr-us-250-attempted", "Figure"] == "about 250"
    assert table.loc["intel-us-fewer-than-10-since-january", "Figure"] == "fewer than 10"
    assert table.loc["pp-origin-canada-us-australia", "Figure"] == "no number given"


# --------------------------------------------------------------------------- the chapter text


def prose(text: str) -> str:
    """The chapter without its front matter, code cells and directives."""
    text = re.sub(r"\A---.*?---", "", text, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return text


def test_block_quotes_name_existing_claims(evidence):
    text = CHAPTER.read_text(encoding="utf-8")
    ids = re.findall(r"```\{claim-quote\} (\S+)", text)
    assert len(ids) >= 5
    for claim_id in ids:
        evidence.claim(claim_id)


def test_prose_length_is_in_range():
    text = prose(CHAPTER.read_text(encoding="utf-8"))
    words = len(re.findall(r"[A-Za-z][A-Za-z'’-]*", re.sub(r"\{[a-z:]+\}`[^`]*`", "", text)))
    assert 1500 <= words <= 3000, words


# --------------------------------------------------------------------------- the glossary


def _evidence_text(evidence, source_id: str) -> str:
    """A source's normalised text, without the TalkLeft reader comments (never evidence)."""
    text = evidence.texts[source_id]
    return text.split("< Ex-Spy")[0] if source_id.startswith("talkleft") else text


def test_glossary_quotes_are_verbatim_from_the_sources(evidence):
    """Every span in quotation marks in a definition is in one of the five sources (reader comments excluded)."""
    glossary = evidence.tables["glossary"]
    missing = []
    for entry in glossary.itertuples(index=False):
        spans = re.findall(r"“([^“”]+)”", entry.definition)
        for span in spans:
            if not any(quotes.normalise(span) in _evidence_text(evidence, s) for s in evidence.texts):
                missing.append((entry.term, span))
    assert missing == []


def test_glossary_entries_are_attributed_and_their_passages_show_the_term(evidence):
    """Each definition quotes or names a source, and its ledger passage uses the term (or a word of it)."""
    outlets = ("policy paper", "NPR", "Daily Caller", "intelNews", "TalkLeft", "sources")
    for entry in evidence.tables["glossary"].itertuples(index=False):
        assert any(o in entry.definition for o in outlets), entry.term
        passage = quotes.normalise(evidence.claim(entry.claim_id)["quote"]).lower()
        longest = max(re.findall(r"[A-Za-z]+", entry.term), key=len).lower()
        spans = [quotes.normalise(s).lower() for s in re.findall(r"“([^“”]+)”", entry.definition)]
        expansions = [quotes.normalise(e).lower() for e in re.findall(r"the ([A-Z][a-z]+(?: [A-Z][a-z]+)+)", entry.definition)]
        assert longest[:6] in passage or any(s in passage for s in spans + expansions), entry.term


def test_glossary_states_no_outside_facts_the_sources_lack():
    """Facts the old glossary took from outside the sources must not come back (each was checked absent)."""
    text = (DATA / "glossary.csv").read_text(encoding="utf-8")
    for outside in ("from which ISIS split", "US government agency", "research organisation", "annual conference",
                    "largely lost by 2017", "A Syrian armed group"):
        assert outside not in text, outside


# --------------------------------------------------------------------------- the charts, on a page and on a phone

FIGURES = ("fig-flow-totals", "fig-flow-countries", "fig-flow-regional")
CAPTIONS = {c.metadata["mystnb"]["figure"]["name"]: c.metadata["mystnb"]["figure"]["caption"]
            for c in code_cells() if "figure" in c.metadata.get("mystnb", {})}
COLOURS = ("color", "fill", "stroke")  # channels that colour a mark
NARROW_PLOT = 300  # px: about the narrowest plot, a 390 px wide phone's column less the chart's padding
CHAR_PX = 6.5  # px: about the widest average character of the charts' 11-12 px text (bold), in Chromium


def layers(figure) -> list[dict]:
    return figure.spec.get("layer", [figure.spec])


def walk(node):
    """Every (key, value) of a spec, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def legend_symbols(figure) -> dict[str, dict[str, dict]]:
    """Per legend (by its title), per channel, the scale that draws its symbols: {title: {channel: scale}}."""
    legends: dict = {}
    for layer in layers(figure):
        for channel, encoding in layer.get("encoding", {}).items():
            if channel in (*COLOURS, "shape", "strokeDash") and "field" in encoding and encoding.get("legend", {}) is not None:
                title = str(encoding.get("title", encoding["field"]))
                legends.setdefault(title, {})[channel] = encoding["scale"]
    return legends


@pytest.fixture(scope="module")
def figures(chapter):
    return [chapter.outputs[name] for name in FIGURES]


def test_every_legend_tells_its_kinds_apart_by_colour_and_by_shape(figures):
    """A colour-blind reader matches a legend entry to the marks without colour: each entry has its own colour
    and its own symbol (shape, dash or hollow fill), every channel of one legend on the same domain."""
    for figure in figures:
        legends = legend_symbols(figure)
        assert legends, figure.name
        for title, scales in legends.items():
            assert "shape" in scales and set(scales) & set(COLOURS), (figure.name, title)
            domains = [scale["domain"] for scale in scales.values()]
            assert all(domain == domains[0] for domain in domains), (figure.name, title)
            entries = range(len(domains[0]))
            colour = next(scales[c] for c in ("color", "fill") if c in scales)
            assert len({colour["range"][i] for i in entries}) == len(entries), (figure.name, title)
            symbols = {
                (
                    scales["shape"]["range"][i],
                    str(scales["strokeDash"]["range"][i]) if "strokeDash" in scales else "",
                    colour["range"][i] == "#ffffff",  # hollow
                )
                for i in entries
            }
            assert len(symbols) == len(entries), (figure.name, title, symbols)


def test_every_mark_style_is_in_a_legend_or_the_caption(figures):
    """A mark not coloured by a legend's field (e.g. the dashed rule of a lower bound) is explained in the caption."""
    for name, figure in zip(FIGURES, figures):
        for layer in layers(figure):
            mark = layer["mark"] if isinstance(layer["mark"], dict) else {"type": layer["mark"]}
            encoding = layer.get("encoding", {})
            if mark["type"] == "text" or any("field" in encoding.get(c, {}) for c in COLOURS):
                continue
            caption = CAPTIONS[name]
            if "strokeDash" in mark:
                assert "dashed" in caption, (figure.name, mark)
            assert {"rule": "line", "bar": "bar", "point": ""}[mark["type"]] in caption, (figure.name, mark)


def test_the_legend_of_the_regional_chart_names_every_kind_of_mark(chapter):
    """Bars, the hollow upper bound, the dashed lower bound and the named countries' bar: four entries."""
    legend = legend_symbols(chapter.outputs["fig-flow-regional"])
    (scales,) = legend.values()
    assert set(scales) == {"fill", "stroke", "strokeDash", "shape"}
    assert scales["shape"]["domain"] == chapter["drawn"] and len(chapter["drawn"]) == 4
    kinds = dict(zip(chapter["drawn"], zip(scales["fill"]["range"], scales["strokeDash"]["range"])))
    assert kinds[chapter["UPPER_BAR"]][0] == "#ffffff" and kinds[chapter["UPPER_BAR"]][1] != [1, 0]
    assert kinds[chapter["LOWER_RULE"]][1] != [1, 0]
    # The layer that only carries the legend draws nothing, and says nothing to a screen reader (axe: svg-img-alt).
    (key,) = [layer for layer in layers(chapter.outputs["fig-flow-regional"]) if {"filter": "false"} in layer.get("transform", [])]
    assert key["mark"]["aria"] is False and key["encoding"]["shape"]["field"] == "bar_drawn"


def test_no_chart_fixes_what_the_phone_layout_adjusts(figures):
    """evidence-charts.js redraws a single or layered chart with a numeric width at its column's width, caps y-axis
    labels and stacks legends: no concat or facet, no label limit, no legend placement in the chart's own spec."""
    for figure in figures:
        spec = {key: value for key, value in figure.spec.items() if key != "config"}
        assert not {"hconcat", "vconcat", "concat", "facet", "repeat"} & set(spec), figure.name
        assert isinstance(spec["width"], int) and spec["width"] + 120 <= 656, figure.name  # drawn as is on a page
        assert not [value for key, value in walk(spec) if key == "labelLimit"], figure.name
        legends = [value for key, value in walk(spec) if key == "legend" and isinstance(value, dict)]
        assert not [legend for legend in legends if {"orient", "direction", "columns"} & set(legend)], figure.name
        assert all(legend.get("titleLimit", 0) <= NARROW_PLOT for legend in legends), figure.name


def test_no_row_is_named_on_a_y_axis(figures):
    """Each row is headed by text above its marks, so the marks keep the whole width on a phone."""
    for figure in figures:
        for layer in layers(figure):
            y = layer.get("encoding", {}).get("y")
            assert y is None or y.get("axis", {}) is None, figure.name


def test_titles_and_texts_fit_a_phones_plot(figures):
    """Legend and axis titles are broken into lines, and every line of text a chart writes from its left edge is
    short enough for the narrowest plot."""
    for figure in figures:
        titles = [
            encoding["title"]
            for layer in layers(figure)
            for channel, encoding in layer.get("encoding", {}).items()
            if channel != "tooltip" and "title" in encoding
        ]
        assert titles, figure.name
        for title in titles:
            for line in [title] if isinstance(title, str) else title:
                assert len(line) * CHAR_PX <= NARROW_PLOT, (figure.name, line)
        rows = next(iter(figure.spec["datasets"].values()))
        for layer in layers(figure):
            encoding = layer.get("encoding", {})
            if encoding.get("x") == {"value": 0} and "text" in encoding:
                for row in rows:
                    text = str(row[encoding["text"]["field"]])
                    assert layer["mark"].get("dx", 0) + len(text) * CHAR_PX <= NARROW_PLOT, (figure.name, text)


def test_time_in_the_charts_carries_the_year(figures, chapter):
    """No time axis today (one added later must show the year on its ticks); a month in a label is 'Dec 2015'."""
    for figure in figures:
        for layer in layers(figure):
            for channel, encoding in layer.get("encoding", {}).items():
                if isinstance(encoding, dict) and encoding.get("type") == "temporal":
                    assert "%Y" in ((encoding.get("axis") or {}).get("format") or ""), (figure.name, channel)
        texts = " ".join(str(v) for row in next(iter(figure.spec["datasets"].values())) for v in row.values())
        months = r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
        assert all(re.match(r" \d{4}", texts[m.end():]) for m in re.finditer(months, texts)), figure.name
    assert chapter["month_year"]("over 30,000, by 2015-12") == "over 30,000, by Dec 2015"
    assert chapter["month_year"]("2011 to 2017, 2016-09-12") == "2011 to 2017, 2016-09-12"  # a year or a day: as is
    labels = layers(chapter.outputs["fig-flow-totals"])
    rows = next(iter(chapter.outputs["fig-flow-totals"].spec["datasets"].values()))
    assert any("by Dec 2015" in row["label"] for row in rows) and labels


def test_every_chart_renders_for_the_pdf(figures):
    for figure in figures:
        assert figure.pdf().startswith(b"%PDF")


# What a chart draws, measured in the page: its width against its column's; every text inside the drawing and not
# cut short with "…"; no text on another text or on a bar or symbol of the plot.
MEASURE_CHARTS = """() => [...document.querySelectorAll('.evidence-chart-canvas')].map(canvas => {
  const svg = canvas.querySelector('svg'), box = svg.getBoundingClientRect();
  const rect = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
    .map(t => ({text: t.textContent, box: rect(t), mark: !!t.closest('.role-mark')}));
  const marks = [...svg.querySelectorAll('g.role-mark.mark-rect path, g.role-mark.mark-symbol path')].map(rect);
  return {container: canvas.clientWidth, drawn: Math.ceil(box.width), svg: rect(svg), texts, marks};
})"""


def _overlap(a, b, slack=0.5):
    return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.skipif(not PAGE.exists(), reason="build the book first: make html")
@pytest.mark.parametrize("width", [390, 1280])
def test_charts_fit_their_column_and_no_text_spills_or_overlaps(browser, width):
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
        assert 0 < chart["drawn"] <= chart["container"], chart["drawn"]
        svg = chart["svg"]
        for i, text in enumerate(chart["texts"]):
            assert "…" not in text["text"], (width, text)
            assert svg[0] - 0.5 <= text["box"][0] and text["box"][2] <= svg[2] + 0.5, (width, text)
            if text["mark"]:
                others = [t["box"] for t in chart["texts"][i + 1:] if t["mark"]] + chart["marks"]
                assert not any(_overlap(text["box"], other) for other in others), (width, text)
