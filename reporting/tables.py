"""The report as tables, laid out like seed 002's data section: one list that the page, the PDF and
the spreadsheet all show, so they cannot disagree.

A table has a title, a header row and rows of cells; numbers stay numbers (the spreadsheet keeps
them as numbers), and a percentage is a number too (`Percent`), shown as "56%". Where 002 has a
five-year history the table is that history; a chart goes with the quarterly tables and the
outcome tables (charts.py), and always with its table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agencies.models import Sector
from allegations.models import Category, EmployerOutcome, Outcome, PoliceOutcome, Timeliness

from .annual import DURATIONS, TIMINGS

TIMING_LABELS = {"contemporaneous": "Contemporaneous", "non_recent": "Non-recent"}
DURATION_LABELS = {
    "under_1_month": "Less than 1 month",
    "1_to_3_months": "1 to 3 months",
    "3_to_6_months": "3 to 6 months",
    "6_to_12_months": "6 to 11 months",
    "1_year_plus": "1 year or more",
}
NONE_LABELS = {"police_outcomes": "No police outcome recorded", "employer_outcomes": "No employer outcome recorded"}


class Percent(float):
    """A share of a total, 0–100: shown with a % sign, kept as a number in the spreadsheet."""

    def __str__(self):
        return f"{round(self):d}%"


def percent(n: int, total: int) -> Percent:
    return Percent(100 * n / total) if total else Percent(0)


@dataclass
class Chart:
    """What charts.bar_chart draws: labels, one or two series of values, and the text alternative."""

    title: str
    labels: list[str]
    series: list[tuple[str, list[int]]]


@dataclass
class Table:
    key: str  # a short name: the spreadsheet's sheet, the page's anchor
    title: str
    headers: list[str]
    rows: list[list]
    section: str = ""
    note: str = ""
    chart: Chart | None = None
    total_row: bool = False  # the last row is a total (shown in bold)
    numeric_from: int = 1  # columns from this one on are numbers
    chart_beside: bool = False  # a narrow table: its chart goes beside it, else below it
    extra: dict = field(default_factory=dict)


def _quarterly(report: dict, key: str, title: str, chart_title: str) -> Table:
    part = report[key]
    rows = [[label, *counts, sum(counts)] for label, counts in part["history"].items()]
    return Table(
        key=key, title=title, headers=["Year", "Q1", "Q2", "Q3", "Q4", "Total"], rows=rows,
        note="Q1 April–June, Q2 July–September, Q3 October–December, Q4 January–March.", chart_beside=True,
        chart=Chart(title=f"{chart_title}, {report['year']}, by quarter", labels=["Q1", "Q2", "Q3", "Q4"],
                    series=[(report["year"], list(part["by_quarter"]))]),
    )


def _counts(key: str, title: str, values: dict, labels: dict, *, what: str) -> Table:
    total = sum(values.values())
    rows = [[labels[k], n, percent(n, total)] for k, n in values.items()]
    rows.append(["Total", total, percent(total, total)])
    return Table(key=key, title=title, headers=[what, "Number", "Percentage"], rows=rows, total_row=True)


def _by_timing(report: dict, key: str, title: str, labels: dict, *, what: str) -> Table:
    """An outcome table: each value for contemporaneous and non-recent referrals, with percentages."""
    part = report[key]
    totals = {t: sum(part[t].values()) for t in TIMINGS}
    rows = []
    for value in part["contemporaneous"]:
        row = [labels[value]]
        for timing in TIMINGS:
            row += [part[timing][value], percent(part[timing][value], totals[timing])]
        rows.append(row)
    total = ["Total"]
    for timing in TIMINGS:
        total += [totals[timing], percent(totals[timing], totals[timing])]
    rows.append(total)
    headers = [what, "Contemporaneous", "% of contemporaneous", "Non-recent", "% of non-recent"]
    chart = Chart(
        title=f"{title}, {report['year']}", labels=[labels[v] for v in part["contemporaneous"]],
        series=[(TIMING_LABELS[t], list(part[t].values())) for t in TIMINGS],
    )
    return Table(key=key, title=title, headers=headers, rows=rows, chart=chart, total_row=True)


def report_tables(report: dict, history: dict, partnership_name: str = "") -> list[Table]:
    """Every table of the report, in 002's order."""
    years = history["years"]
    meetings = report["meetings"]
    tables = [
        _quarterly(report, "advice", "LADO advice by quarter", "Advice"),
        _quarterly(report, "referrals_contemporaneous", "Referrals (contemporaneous) by quarter",
                   "Contemporaneous referrals"),
        _quarterly(report, "referrals_non_recent", "Referrals (non-recent) by quarter", "Non-recent referrals"),
        _counts("referrals_by_sector", "Referrals by sector", report["referrals_by_sector"], dict(Sector.choices),
                what="Sector"),
        _counts("referrals_by_category", "Referrals by category of concern", report["referrals_by_category"],
                dict(Category.choices), what="Category"),
        _counts("referral_timeliness", "Referrals received within 1 working day of the concern arising",
                report["referral_timeliness"], dict(Timeliness.choices), what="Received"),
        Table(
            key="transfers", title="Transfers between authorities",
            headers=["Transfers", "Number"],
            rows=[["In: received from another authority", report["transfers"]["in"]],
                  ["Out: sent to another authority", report["transfers"]["out"]]],
            note="Counted by the date the contact was received.",
        ),
        Table(
            key="meetings", title="Managing allegations meetings held",
            headers=["Meetings", "Initial", "Review", "Total"],
            rows=[
                *[[TIMING_LABELS[t], meetings[t]["initial"], meetings[t]["review"],
                   meetings[t]["initial"] + meetings[t]["review"]] for t in TIMINGS],
                ["Total", *[sum(meetings[t][k] for t in TIMINGS) for k in ("initial", "review")],
                 sum(meetings[t][k] for t in TIMINGS for k in ("initial", "review"))],
            ],
            note=f"Strategy discussions chaired by the service: {meetings['strategy_discussions_chaired']}.",
            total_row=True, extra={"strategy_discussions_chaired": meetings["strategy_discussions_chaired"]},
        ),
        Table(
            key="closed", title="Referrals closed",
            headers=["Timing", "Closed"],
            rows=[[TIMING_LABELS[t], report["closed"][t]] for t in TIMINGS]
            + [["Total", sum(report["closed"].values())]],
            total_row=True,
        ),
        _by_timing(report, "outcomes", "Case outcomes", dict(Outcome.choices), what="Outcome"),
        _by_timing(report, "police_outcomes", "Police outcomes",
                   {**dict(PoliceOutcome.choices), "none": NONE_LABELS["police_outcomes"]}, what="Police outcome"),
        _by_timing(report, "employer_outcomes", "Employer outcomes",
                   {**dict(EmployerOutcome.choices), "none": NONE_LABELS["employer_outcomes"]},
                   what="Employer outcome"),
        _by_timing(report, "duration_of_closed", "Duration of closed referrals", DURATION_LABELS, what="Duration"),
    ]
    for timing in TIMINGS:
        by_bucket = history["duration_of_closed"][timing]
        rows = [[DURATION_LABELS[b], *by_bucket[b]] for b in DURATIONS]
        rows.append(["Total", *[sum(by_bucket[b][i] for b in DURATIONS) for i in range(len(years))]])
        tables.append(Table(
            key=f"duration_history_{timing}",
            title=f"Duration of closed {TIMING_LABELS[timing].lower()} referrals, five years",
            headers=["Duration", *years], rows=rows, total_row=True,
        ))
    advice_history = report["advice"]["history"]
    tables.append(Table(
        key="consultations_without_a_name", title="Advice requests that did not name the person",
        headers=["Advice", *years],
        rows=[["Advice requests", *[sum(advice_history.get(y, [0])) for y in years]],
              ["Of which the person was not named", *history["consultations_without_a_name"]]],
        note="Consultations where the person was described rather than named. They are counted in the advice "
             "figures too.",
    ))
    tables.append(Table(
        key="dbs_and_regulators", title="Referrals to the DBS and to professional regulators",
        headers=["Referrals", *years],
        rows=[["DBS referrals", *history["dbs_referrals"]],
              ["Professional regulatory body", *history["regulator_referrals"]]],
        note="Counted by the date of the referral to the DBS or the regulator.",
    ))
    if "complaints" in history:  # a report rendered before complaints were counted has no such history
        tables.append(_complaints_table(history))
    for table in tables:
        table.section = next(heading for heading, keys in SECTIONS if table.key in keys)
    return tables


# 002's data section: what comes in, then meetings, then what happened at the end.
SECTIONS = [
    ("1. Work coming in", {"advice", "referrals_contemporaneous", "referrals_non_recent", "referrals_by_sector",
                           "referrals_by_category", "referral_timeliness", "transfers",
                           "consultations_without_a_name"}),
    ("2. Managing allegations meetings", {"meetings"}),
    ("3. Case outcomes", {"closed", "outcomes", "police_outcomes", "employer_outcomes"}),
    ("4. Case duration", {"duration_of_closed", "duration_history_contemporaneous", "duration_history_non_recent"}),
    ("5. Referrals to the DBS and regulatory bodies", {"dbs_and_regulators"}),
    ("6. Complaints and reopened cases", {"complaints"}),
]

COMPLAINT_LABELS = {
    "received": "Complaints received", "upheld": "Upheld", "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld", "withdrawn": "Withdrawn", "open": "Not yet answered",
    "later_stage": "At stage 2 or with the ombudsman",
}


def _complaints_table(history: dict) -> Table:
    """Complaints by their result, and cases reopened or with an amended outcome, over five years (002 §2.9)."""
    complaints = history["complaints"]
    return Table(
        key="complaints", title="Complaints, reopened cases and amended outcomes",
        headers=["Complaints and cases", *history["years"]],
        rows=[[COMPLAINT_LABELS[key], *complaints[key]] for key in COMPLAINT_LABELS]
        + [["Cases reopened", *history["reopened"]], ["Cases whose outcome was amended", *history["outcome_amended"]]],
        note="Complaints by the date received and their result at the stage reached; cases by the date they were "
             "reopened or their outcome amended (a case counts once a year).",
    )


@dataclass
class Section:
    heading: str
    tables: list[Table]


def report_sections(tables: list[Table]) -> list[Section]:
    return [Section(heading, [t for t in tables if t.section == heading]) for heading, _ in SECTIONS]
