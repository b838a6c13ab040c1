"""The report as tables, laid out like seed 002's data section: one list that the page, the PDF and
the spreadsheet all show, so they cannot disagree.

A table has a title, a header row and rows of cells; numbers stay numbers (the spreadsheet keeps
them as numbers), and a percentage is a number too (`Percent`), shown as "56%". Where 002 has a
five-year history the table is that history; a chart goes with the quarterly tables and the
outcome tables (charts.py), and always with its table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agencies.models import AgencyKind, Sector
from allegations.models import Category, EmployerOutcome, Outcome, PoliceOutcome, Timeliness

from .annual import DURATIONS, SD_OTHER, TIMINGS

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
    key: str  # a short name: the page's anchor
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
    sheet: str = ""  # the spreadsheet's sheet: whole words, at most 31 characters (Excel's limit)


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


def _five_years(key: str, title: str, history: dict, values: dict, labels: dict, *, what: str, note: str = "",
                skip_empty: bool = False) -> Table:
    """A breakdown over five years: a row per value (rows of zeros left out when `skip_empty`), and a total."""
    years = history["years"]
    rows = [[labels[k], *counts] for k, counts in values.items() if not (skip_empty and not any(counts))]
    rows.append(["Total", *[sum(counts[i] for counts in values.values()) for i in range(len(years))]])
    return Table(key=key, title=title, headers=[what, *years], rows=rows, total_row=True, note=note)


def _one_row(key: str, title: str, history: dict, label: str, counts: list[int], *, what: str, note: str = "") -> Table:
    return Table(key=key, title=title, headers=[what, *history["years"]], rows=[[label, *counts]], note=note)


SECTOR_LABELS = dict(Sector.choices)
CATEGORY_LABELS = dict(Category.choices)
AGENCY_LABELS = {**dict(AgencyKind.choices), SD_OTHER: "Other agencies"}
CHILDREN_LABELS = {
    "looked_after": "Looked after",
    "social_worker": "Not looked after, with a social worker",
    "neither": "No social worker, or not known",
}


def _new_tables(history: dict) -> list[Table]:
    """The tables of 002 added by issue 18 (docs/annual-report.md defines each), in 002's order."""
    if "advice_by_sector" not in history:  # a history counted before these tables existed
        return []
    sd = history["strategy_discussions"]
    children = history["children_involved"]
    return [
        _five_years("advice_by_sector", "LADO advice by sector", history, history["advice_by_sector"], SECTOR_LABELS,
                    what="Sector", skip_empty=True,
                    note="Advice by the date it was received. Sectors with no advice in the five years are left out."),
        _five_years("non_recent_by_sector", "Non-recent referrals by sector", history, history["non_recent_by_sector"],
                    SECTOR_LABELS, what="Sector", skip_empty=True,
                    note="By the date received. Sectors with no non-recent referrals in the five years are left out."),
        _five_years("non_recent_by_category", "Non-recent referrals by category of concern", history,
                    history["non_recent_by_category"], CATEGORY_LABELS, what="Category"),
        _one_row("civil_claims", "Civil claims", history, "Civil claims", history["civil_claims"], what="Claims",
                 note="Cases on which a civil claim was recorded, by the date the service learned of the claim."),
        Table(
            key="strategy_discussions", title="Strategy discussions held and who chaired them",
            headers=["Strategy discussions", *history["years"]],
            rows=[["Chaired by the service: team manager", *sd["team_manager"]],
                  ["Chaired by the service: service manager", *sd["service_manager"]],
                  ["Chaired by the service", *sd["chaired_by_service"]],
                  ["Chaired by another service, attended", *sd["chaired_by_others"]],
                  ["Total held", *sd["held"]]],
            total_row=True,
            note="By the date held. The service manager is the chair holding the LADO service manager role.",
        ),
        _five_years("strategy_discussion_agencies", "Agencies that attended strategy discussions", history,
                    sd["agencies"], AGENCY_LABELS, what="Agency", skip_empty=True,
                    note="Strategy discussions each kind of agency attended (a discussion counts once per kind). "
                         "The total counts attendances, not discussions."),
        _five_years("children_involved", "Children involved who are looked after or have a social worker", history,
                    {k: children[k] for k in CHILDREN_LABELS}, CHILDREN_LABELS, what="Children",
                    note="Children (and adults at risk) recorded on the referrals received in the year."),
        _one_row("looked_after_allegations", "Allegations about looked-after children reported to elected members",
                 history, "Referrals about a looked-after child", history["looked_after_allegations"],
                 what="Allegations",
                 note="Referrals received in the year with at least one child recorded as looked after: those the "
                      "service reports to elected members."),
        _one_row("adult_complainants", "Adults as complainants in non-recent allegations", history,
                 "Adult complainants", history["adult_complainants"], what="Complainants",
                 note="People recorded as having made the allegation or been harmed on non-recent referrals received "
                      "in the year."),
    ]


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
        tables += _complaints_tables(history)
    tables += _new_tables(history)
    for table in tables:
        table.section = next(heading for heading, keys in SECTIONS if table.key in keys)
        table.sheet = table.sheet or SHEETS[table.key]
    order = {key: i for i, key in enumerate(ORDER)}
    return sorted(tables, key=lambda t: order[t.key])


# Every table in 002's order (its data section, 1.1 to 2.9): the page, the PDF and the spreadsheet follow it.
ORDER = [
    "advice", "advice_by_sector", "consultations_without_a_name",
    "referrals_contemporaneous", "referrals_by_sector", "referrals_by_category", "referral_timeliness",
    "referrals_non_recent", "non_recent_by_sector", "non_recent_by_category", "civil_claims", "transfers",
    "strategy_discussions", "strategy_discussion_agencies", "meetings",
    "children_involved", "looked_after_allegations", "adult_complainants",
    "closed", "outcomes", "police_outcomes", "employer_outcomes",
    "duration_of_closed", "duration_history_contemporaneous", "duration_history_non_recent",
    "dbs_and_regulators", "complaints", "reopened",
]
# The spreadsheet's sheet of each table: whole words within Excel's 31 characters.
SHEETS = {
    "advice": "Advice", "advice_by_sector": "Advice by sector", "consultations_without_a_name": "Advice without a name",
    "referrals_contemporaneous": "Contemporaneous referrals", "referrals_by_sector": "Referrals by sector",
    "referrals_by_category": "Referrals by category", "referral_timeliness": "Referral timeliness",
    "referrals_non_recent": "Non-recent referrals", "non_recent_by_sector": "Non-recent by sector",
    "non_recent_by_category": "Non-recent by category", "civil_claims": "Civil claims", "transfers": "Transfers",
    "strategy_discussions": "Strategy discussions", "strategy_discussion_agencies": "Strategy discussion agencies",
    "meetings": "Meetings", "children_involved": "Children involved",
    "looked_after_allegations": "Looked-after children", "adult_complainants": "Adult complainants",
    "closed": "Closed referrals", "outcomes": "Outcomes", "police_outcomes": "Police outcomes",
    "employer_outcomes": "Employer outcomes", "duration_of_closed": "Duration of closed referrals",
    "duration_history_contemporaneous": "Contemporaneous durations",
    "duration_history_non_recent": "Non-recent durations", "dbs_and_regulators": "DBS and regulators",
    "complaints": "Complaints", "reopened": "Reopened cases",
}

# 002's data section: what comes in, then meetings, then what happened at the end.
SECTIONS = [
    ("1. Work coming in", {"advice", "referrals_contemporaneous", "referrals_non_recent", "referrals_by_sector",
                           "referrals_by_category", "referral_timeliness", "transfers",
                           "consultations_without_a_name", "advice_by_sector", "non_recent_by_sector",
                           "non_recent_by_category", "civil_claims"}),
    ("2. Managing allegations meetings and the people involved",
     {"meetings", "strategy_discussions", "strategy_discussion_agencies", "children_involved",
      "looked_after_allegations", "adult_complainants"}),
    ("3. Case outcomes", {"closed", "outcomes", "police_outcomes", "employer_outcomes"}),
    ("4. Case duration", {"duration_of_closed", "duration_history_contemporaneous", "duration_history_non_recent"}),
    ("5. Referrals to the DBS and regulatory bodies", {"dbs_and_regulators"}),
    ("6. Complaints and reopened cases", {"complaints", "reopened"}),
]

COMPLAINT_LABELS = {
    "received": "Complaints received", "upheld": "Upheld", "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld", "withdrawn": "Withdrawn", "open": "Not yet answered",
    "later_stage": "At stage 2 or with the ombudsman",
}


def _complaints_tables(history: dict) -> list[Table]:
    """Complaints and their results; cases reopened or with an amended outcome; over five years (002 §2.9)."""
    complaints = history["complaints"]
    return [
        Table(
            key="complaints", title="Complaints and their results",
            headers=["Complaints", *history["years"]],
            rows=[[COMPLAINT_LABELS[key], *complaints[key]] for key in COMPLAINT_LABELS],
            note="Complaints by the date received, and their result at the stage reached.",
        ),
        Table(
            key="reopened", title="Reopened cases",
            headers=["Cases", *history["years"]],
            rows=[["Cases reopened", *history["reopened"]],
                  ["Cases whose outcome was amended", *history["outcome_amended"]]],
            note="By the date the case was reopened or its outcome amended (a case counts once a year).",
        ),
    ]


@dataclass
class Section:
    heading: str
    tables: list[Table]


def report_sections(tables: list[Table]) -> list[Section]:
    return [Section(heading, [t for t in tables if t.section == heading]) for heading, _ in SECTIONS]
