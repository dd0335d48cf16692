"""Tables derived from the evidence base. Each is computed from the ledger, never typed."""

from __future__ import annotations

import pandas as pd

from evidence.ledger import Evidence

KIND_LABELS = {
    "news-report": "news report",
    "radio-transcript": "radio transcript",
    "blog": "news blog post",
    "blog-with-comments": "blog post with reader comments",
    "policy-paper": "policy paper",
}

DATE_CERTAINTY_LABELS = {
    "stated-in-text": "date stated in the text",
    "external-copy": "date taken from a public copy of the original",
    "inferred": "date not stated; inferred from internal evidence",
    "unknown": "date not stated",
}

NOT_STATED = "not stated in the source"

PATTERN_WORDS = {
    r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$": "a date: YYYY, YYYY-MM or YYYY-MM-DD",
    r"^[a-z0-9]+(-[a-z0-9]+)*$": "lower-case words joined by hyphens",
    r"^[0-9a-f]{64}$": "64 hexadecimal digits",
    r"^[a-z0-9-]+\.txt$": "a .txt file name",
}


def short_name(source: pd.Series) -> str:
    """How the book names a source in tables: outlet and date, or what is known of it."""
    outlet = source["outlet"] or "Unnamed policy paper"
    date = source["published"] or "undated"
    return f"{outlet} ({date})"


def source_register(evidence: Evidence) -> pd.DataFrame:
    """One row per source with its metadata and the number of claims it supports."""
    counts = evidence.claims.groupby("source_id").size()
    rows = []
    for source_id, source in evidence.sources.iterrows():
        rows.append(
            {
                "Source id": source_id,
                "Outlet": source["outlet"] or NOT_STATED,
                "Kind": KIND_LABELS[source["kind"]],
                "Author": source["author"] or NOT_STATED,
                "Published": source["published"] or NOT_STATED,
                "Claims": int(counts.get(source_id, 0)),
            }
        )
    return pd.DataFrame(rows)


def claims_by_topic_and_source(evidence: Evidence) -> pd.DataFrame:
    """Claims per topic (rows, in schema order) and source (columns), with totals both ways."""
    topics = [t for t in _topic_order(evidence) if t in set(evidence.claims["topic"])]
    table = pd.crosstab(evidence.claims["topic"], evidence.claims["source_id"])
    table = table.reindex(index=topics, columns=evidence.sources.index, fill_value=0)
    table.columns = [evidence.sources.loc[sid, "outlet"] or "Policy paper" for sid in table.columns]
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    table.index.name = "Topic"
    return table.reset_index()


def reliability_notes(evidence: Evidence) -> list[tuple[str, str]]:
    """A short note per source: kind, how certain its date is, and what it relies on."""
    notes = []
    for source_id, source in evidence.sources.iterrows():
        numeric = evidence.claims[(evidence.claims["source_id"] == source_id) & evidence.claims["value"].notna()]
        text = (
            f"{KIND_LABELS[source['kind']].capitalize()}; {DATE_CERTAINTY_LABELS[source['date_certainty']]}"
            f"{' (' + source['published'] + ')' if source['published'] else ''}. "
            f"Relies on: {source['relies_on']} "
            f"Supports {len(evidence.claims[evidence.claims['source_id'] == source_id])} claims, "
            f"{len(numeric)} of them with a point value. Provenance: {source['notes']}"
        )
        title = f"“{source['title']}”" if source["title"] else "Title not stated"
        notes.append((f"{short_name(source)}, {title} [{source_id}].", text))
    return notes


def _topic_order(evidence: Evidence) -> list[str]:
    claims_schema = next(r for r in evidence.descriptor["resources"] if r["name"] == "claims")["schema"]
    return next(f for f in claims_schema["fields"] if f["name"] == "topic")["constraints"]["enum"]


def data_package_resources(evidence: Evidence) -> pd.DataFrame:
    """One row per table of the data package: file, title, rows, what it holds."""
    rows = []
    for resource in evidence.descriptor["resources"]:
        rows.append(
            {
                "File": f"data/{resource['path']}",
                "Table": resource.get("title", resource["name"]),
                "Rows": len(evidence.tables[resource["name"]]),
                "Description": resource.get("description", ""),
            }
        )
    return pd.DataFrame(rows)


def schema_fields(evidence: Evidence, resource_name: str) -> pd.DataFrame:
    """The Table Schema of one resource as a readable table: field, type, rules, meaning."""
    resource = next(r for r in evidence.descriptor["resources"] if r["name"] == resource_name)
    foreign = {fk["fields"][0]: fk["reference"] for fk in resource["schema"].get("foreignKeys", [])}
    rows = []
    for field in resource["schema"]["fields"]:
        constraints = field.get("constraints", {})
        rules = []
        if constraints.get("required"):
            rules.append("required")
        if constraints.get("unique"):
            rules.append("unique")
        if "enum" in constraints:
            rules.append("one of: " + ", ".join(constraints["enum"]))
        if "pattern" in constraints:
            rules.append(PATTERN_WORDS.get(constraints["pattern"], "pattern " + constraints["pattern"]))
        if field["name"] in foreign:
            reference = foreign[field["name"]]
            rules.append(f"must exist in {reference['resource']}.{reference['fields'][0]}")
        rows.append({"Field": field["name"], "Type": field["type"], "Rules": "; ".join(rules),
                     "Meaning": field.get("description", "")})
    return pd.DataFrame(rows)


def voices_by_source(evidence: Evidence) -> pd.DataFrame:
    """Who speaks in each source: one row per source and voice, with the kinds of passage and the claims credited.

    Read from ``voices.csv`` (the passages) and the ledger's ``voice`` column, so the appendix shows
    the same split the check enforces.
    """
    passages = evidence.tables["voices"]
    credited = evidence.claims.groupby(["source_id", "voice"]).size()
    rows = []
    for (source_id, voice), group in passages.groupby(["source_id", "voice"], sort=False):
        modes = group["mode"].value_counts()
        rows.append(
            {
                "Source": short_name(evidence.sources.loc[source_id]),
                "Voice": voice,
                "Passages": int(len(group)),
                "Kinds of passage": ", ".join(f"{mode} ({count})" for mode, count in modes.items()),
                "Claims in this voice": int(credited.get((source_id, voice), 0)),
            }
        )
    return pd.DataFrame(rows)
