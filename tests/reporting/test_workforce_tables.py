"""The report for the children's workforce, the adults' or both (issue 18 part 2), and 002's further tables
(part 3), against a fixture counted by hand: the command and the page agree, the PDF names the workforce on
every page, and each new table gives the counts written out below."""

from __future__ import annotations

import datetime as dt
import io
import json
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from agencies.models import AgencyKind, Sector
from allegations import services as allegation_services
from allegations.models import Child, ContactType
from meetings.models import Attendance, Invitation, MeetingKind
from reporting.annual import annual_report, report_history
from reporting.exports import to_xlsx
from reporting.tables import SHEETS, report_tables
from tests.agencies.factories import AgencyFactory
from tests.forms import with_dates
from tests.reporting.factories import closed_case, contact, held_meeting, local
from tests.reporting.test_sample import pdf_pages

pytestmark = pytest.mark.django_db
YEAR = 2022  # 2022/23; the history runs 2018/19 … 2022/23 (index 4 is this year)


def child(referral, *, relationship="complainant", looked_after="not_known", social_worker="not_known"):
    return Child.objects.create(referral=referral, given_name="Kid", relationship=relationship,
                                looked_after=looked_after, social_worker=social_worker)


@pytest.fixture
def world(lado_service, lado_officer, lado_manager, police_agency):
    """Counted by hand (2022/23 unless said):

    - advice: 2 education (children), 1 care home (adults); 1 education in 2019/20 (children).
    - non-recent referrals: 2 education sexual, 1 faith physical (children); 1 sports sexual in 2020/21.
    - civil claims: 1 learned of in June 2022, 1 in May 2021 (children's cases); 1 flagged off (not counted).
    - strategy discussions held: 2 chaired by the service's officer (team manager), 1 by the service manager,
      1 chaired by another service; 1 scheduled and not held. The police attended 2, children's social care 1,
      and the police sent apologies to the other two (not counted).
    - children on a 2022/23 contemporaneous referral: 2 looked after, 1 with a social worker, 1 not known;
      a second referral with 1 looked-after child: looked-after allegations = 2; with the 3 people on the
      non-recent referral (not known), children involved = 8 (3 looked after, 1 social worker, 4 neither).
    - adult complainants: 2 complainants and 1 other person on a non-recent referral (the first education one).
    - an adults' workforce (PiPoT) referral with its strategy discussion chaired by the team manager.
    """
    csc = AgencyFactory(name="Testshire Children's Social Care", kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
                        sector=Sector.SOCIAL_CARE, lado_service=lado_service)
    s = lado_service
    contact(lado_service=s, received_at=local(2022, 5, 3, 9), contact_type=ContactType.ADVICE)
    contact(lado_service=s, received_at=local(2023, 2, 3, 9), contact_type=ContactType.ADVICE)
    contact(lado_service=s, received_at=local(2022, 8, 3, 9), contact_type=ContactType.ADVICE, sector="care_home",
            workforce="adults")
    contact(lado_service=s, received_at=local(2019, 8, 3, 9), contact_type=ContactType.ADVICE)
    nr = contact(lado_service=s, received_at=local(2022, 6, 1, 9), timing="non_recent", category="sexual")
    contact(lado_service=s, received_at=local(2022, 11, 1, 9), timing="non_recent", category="sexual")
    contact(lado_service=s, received_at=local(2023, 1, 5, 9), timing="non_recent", category="physical",
            sector="faith")
    contact(lado_service=s, received_at=local(2020, 9, 1, 9), timing="non_recent", category="sexual",
            sector="sports")
    child(nr)
    child(nr)
    child(nr, relationship="other_in_setting")

    claim = closed_case(lado_service=s, received_at=local(2021, 4, 2, 9), closed_at=local(2021, 9, 1, 9))
    allegation_services.case_record_civil_claim(actor=lado_officer, case=claim, civil_claim=True,
                                                claim_on=dt.date(2022, 6, 1), notes="Claim against the council.")
    old_claim = closed_case(lado_service=s, received_at=local(2020, 4, 2, 9), closed_at=local(2020, 9, 1, 9))
    allegation_services.case_record_civil_claim(actor=lado_officer, case=old_claim, civil_claim=True,
                                                claim_on=dt.date(2021, 5, 1))
    withdrawn = closed_case(lado_service=s, received_at=local(2020, 4, 2, 9), closed_at=local(2020, 9, 1, 9))
    allegation_services.case_record_civil_claim(actor=lado_officer, case=withdrawn, civil_claim=True,
                                                claim_on=dt.date(2022, 7, 1))
    allegation_services.case_record_civil_claim(actor=lado_officer, case=withdrawn, civil_claim=False)

    sd_case = closed_case(lado_service=s, received_at=local(2022, 4, 20, 9))
    child(sd_case.referral, looked_after="yes", social_worker="yes")
    child(sd_case.referral, looked_after="yes")
    child(sd_case.referral, social_worker="yes", relationship="subjects_own")
    child(sd_case.referral)
    other = closed_case(lado_service=s, received_at=local(2022, 9, 20, 9))
    child(other.referral, looked_after="yes")
    meetings = []
    for when, chair, by_service in ((local(2022, 4, 21, 9), lado_officer, True),
                                    (local(2022, 7, 1, 9), lado_officer, True),
                                    (local(2022, 10, 1, 9), lado_manager, True),
                                    (local(2023, 3, 1, 9), None, False)):
        m = held_meeting(sd_case, kind=MeetingKind.STRATEGY_DISCUSSION, held_at=when, chaired_by_service=by_service)
        m.chair = chair
        m.save()
        meetings.append(m)
    held_meeting(sd_case, kind=MeetingKind.STRATEGY_DISCUSSION, held_at=local(2022, 12, 1, 9), status="scheduled")
    for m, agency, attendance in ((meetings[0], police_agency, Attendance.ATTENDED),
                                  (meetings[1], police_agency, Attendance.ATTENDED),
                                  (meetings[1], csc, Attendance.ATTENDED),
                                  (meetings[2], police_agency, Attendance.APOLOGIES),
                                  (meetings[3], police_agency, Attendance.APOLOGIES)):
        Invitation.objects.create(meeting=m, agency=agency, access_level="safeguarding", attendance=attendance)

    pipot = closed_case(lado_service=s, received_at=local(2022, 5, 20, 9), workforce="adults", sector="care_home")
    m = held_meeting(pipot, kind=MeetingKind.STRATEGY_DISCUSSION, held_at=local(2022, 5, 21, 9))
    m.chair = lado_officer
    m.save()
    return {"csc": csc}


def this(values):
    return values[-1]


def test_each_new_table_gives_the_hand_counts(world):
    h = report_history(YEAR)
    assert h["years"] == ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23"]
    assert h["advice_by_sector"]["education"] == [0, 1, 0, 0, 2]
    assert h["advice_by_sector"]["care_home"] == [0, 0, 0, 0, 1]
    assert h["non_recent_by_sector"]["education"] == [0, 0, 0, 0, 2]
    assert h["non_recent_by_sector"]["faith"] == [0, 0, 0, 0, 1]
    assert h["non_recent_by_sector"]["sports"] == [0, 0, 1, 0, 0]
    assert h["non_recent_by_category"]["sexual"] == [0, 0, 1, 0, 2]
    assert h["non_recent_by_category"]["physical"] == [0, 0, 0, 0, 1]
    assert h["civil_claims"] == [0, 0, 0, 1, 1]
    sd = h["strategy_discussions"]
    assert this(sd["team_manager"]) == 3  # two children's, one PiPoT
    assert this(sd["service_manager"]) == 1
    assert this(sd["chaired_by_service"]) == 4 and this(sd["chaired_by_others"]) == 1 and this(sd["held"]) == 5
    assert this(sd["agencies"]["police"]) == 2 and this(sd["agencies"]["childrens_social_care"]) == 1
    assert this(sd["agencies"]["other"]) == 0
    assert h["children_involved"] == {"looked_after": [0, 0, 0, 0, 3], "social_worker": [0, 0, 0, 0, 1],
                                      "neither": [0, 0, 0, 0, 4], "total": [0, 0, 0, 0, 8]}
    assert h["looked_after_allegations"] == [0, 0, 0, 0, 2]
    assert h["adult_complainants"] == [0, 0, 0, 0, 2]


def test_the_adults_workforce_counts_only_pipot_and_the_children_only_lado(world):
    adults, children = report_history(YEAR, workforce="adults"), report_history(YEAR, workforce="children")
    assert this(adults["advice_by_sector"]["care_home"]) == 1 and this(adults["advice_by_sector"]["education"]) == 0
    assert this(children["advice_by_sector"]["care_home"]) == 0 and this(children["advice_by_sector"]["education"]) == 2
    assert this(adults["strategy_discussions"]["held"]) == 1 and this(children["strategy_discussions"]["held"]) == 4
    assert adults["civil_claims"] == [0] * 5 and this(children["civil_claims"]) == 1
    report = annual_report(YEAR, workforce="adults")
    assert report["workforce"] == "adults"
    assert report["advice"]["total"] == 1 and report["referrals_non_recent"]["total"] == 0
    assert report["meetings"]["strategy_discussions_chaired"] == 1
    both = annual_report(YEAR)
    assert both["advice"]["total"] == annual_report(YEAR, workforce="children")["advice"]["total"] + 1
    with pytest.raises(ValueError):
        annual_report(YEAR, workforce="everyone")


def test_the_tables_are_in_002s_order_with_whole_word_sheet_names(world):
    tables = report_tables(annual_report(YEAR), report_history(YEAR))
    keys = [t.key for t in tables]
    assert keys.index("advice") < keys.index("advice_by_sector") < keys.index("referrals_contemporaneous")
    assert keys.index("referrals_non_recent") < keys.index("non_recent_by_sector") < keys.index("civil_claims")
    assert keys.index("strategy_discussions") < keys.index("children_involved") < keys.index("adult_complainants")
    assert keys.index("adult_complainants") < keys.index("outcomes") < keys.index("complaints") < keys.index("reopened")
    sheets = [t.sheet for t in tables]
    assert len(set(sheets)) == len(sheets) and all(len(s) <= 31 for s in sheets)
    assert set(SHEETS) == set(keys)
    # Whole words: each sheet name is written out, none cut at 31 characters.
    assert all(not s.endswith(("-", " ")) and "_" not in s for s in sheets)
    by_key = {t.key: t for t in tables}
    rows = {r[0]: r[1:] for r in by_key["strategy_discussions"].rows}
    assert rows["Chaired by the service: service manager"][-1] == 1 and rows["Total held"][-1] == 5
    sector_rows = [r[0] for r in by_key["advice_by_sector"].rows]
    assert sector_rows == ["Education", "Care home", "Total"]  # sectors with nothing in five years left out
    assert to_xlsx(annual_report(YEAR), report_history(YEAR), partnership_name="Testshire")  # writes


def test_a_civil_claim_needs_its_date_and_can_be_recorded_on_a_closed_case(world, lado_officer, lado_service):
    case = closed_case(lado_service=lado_service, received_at=local(2021, 4, 2, 9), closed_at=local(2021, 9, 1, 9))
    with pytest.raises(ValidationError):
        allegation_services.case_record_civil_claim(actor=lado_officer, case=case, civil_claim=True, claim_on=None)
    case.refresh_from_db()
    assert not case.civil_claim
    allegation_services.case_record_civil_claim(actor=lado_officer, case=case, civil_claim=True,
                                                claim_on=dt.date(2023, 1, 9))
    case.refresh_from_db()
    assert case.civil_claim and case.civil_claim_on == dt.date(2023, 1, 9)
    assert case.history.first().history_change_reason == "Civil claim recorded"


def test_the_civil_claim_form_on_the_case(world, login, lado_officer, lado_service, agency_a_manager, agency_a):
    from tests.allegations.factories import make_case, make_referral

    case = make_case(officer=lado_officer, referral=make_referral(actor=agency_a_manager, lado_service=lado_service,
                                                                  agency=agency_a))
    client = login(lado_officer)
    url = reverse("allegations:case_action", args=[case.reference, "civil-claim"])
    page = client.post(url, {"civil_claim": "yes", "notes": "A claim."})
    assert page.status_code == 200 and "Enter the date the service learned of the claim" in page.content.decode()
    response = client.post(url, with_dates({"civil_claim": "yes", "claim_on": "2023-01-09"}))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.civil_claim and case.civil_claim_on == dt.date(2023, 1, 9)
    assert "Brought: the service learned of it on" in client.get(
        reverse("allegations:case_detail", args=[case.reference])).content.decode()


class _Tables(HTMLParser):
    """Each <table id="table-…">: its caption and its rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.captions: dict[str, str] = {}
        self._key = self._row = self._cell = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self._key = attrs["id"][6:]
            self.tables[self._key], self.captions[self._key] = [], ""
        elif self._key and tag == "caption":
            self._in_caption = True
        elif self._key and tag == "tr":
            self._row = []
        elif self._key and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._key = None
        elif tag == "caption":
            self._in_caption = False
        elif self._key and tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif self._key and tag == "tr":
            self.tables[self._key].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_caption:
            self.captions[self._key] += data
        elif self._cell is not None:
            self._cell += data


def _as_page(cell) -> str:
    if cell.number_format == "0%":
        return f"{round(cell.value * 100):d}%"
    return str(cell.value)


def test_the_command_for_the_adults_workforce_and_the_page_agree(world, login, analyst, tmp_path):
    from openpyxl import load_workbook

    out = io.StringIO()
    call_command("annual_report", year=YEAR, workforce="adults", format="json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["workforce"] == "adults" and report["advice"]["total"] == 1
    xlsx = tmp_path / "adults.xlsx"
    call_command("annual_report", year=YEAR, workforce="adults", format="xlsx", output=str(xlsx), stderr=io.StringIO())
    book = load_workbook(xlsx, read_only=True)
    assert [list(r) for r in book["Report"].iter_rows(values_only=True)][2] == ["Workforce",
                                                                                 "The adults' workforce (PiPoT)"]

    page = login(analyst).get(reverse("reporting:annual"), {"year": YEAR, "workforce": "adults"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "The adults&#39; workforce (PiPoT)." in html or "The adults' workforce (PiPoT)." in html
    parser = _Tables()
    parser.feed(html)
    compared = 0
    for sheet in book.worksheets[1:]:
        rows = [[c for c in r if c.value is not None] for r in sheet.iter_rows()]
        title = rows[0][0].value
        [key] = [k for k, caption in parser.captions.items() if caption.strip() == title]
        body = []
        for row in rows[1:]:
            if not row:
                break
            body.append([_as_page(c) for c in row])
        assert parser.tables[key] == body, f"{title}: the command's spreadsheet and the page differ"
        compared += 1
    assert compared == len(parser.tables) >= 25
    # And both differ from the report of both workforces (the choice is applied, not ignored).
    both = login(analyst).get(reverse("reporting:annual"), {"year": YEAR}).content.decode()
    assert both != html
    assert "workforces (LADO and PiPoT)." in both


def test_a_workforce_not_offered_is_an_error_on_the_page_and_a_404_for_downloads(world, login, analyst):
    client = login(analyst)
    page = client.get(reverse("reporting:annual"), {"year": YEAR, "workforce": "everyone"})
    assert page.status_code == 200 and "Choose the children" in page.content.decode()
    assert client.get(reverse("reporting:annual_csv"), {"year": YEAR, "workforce": "x"}).status_code == 404
    response = client.get(reverse("reporting:annual_csv"), {"year": YEAR, "workforce": "adults"})
    assert response["Content-Disposition"] == 'attachment; filename="annual-report-2022-23-adults.csv"'
    assert response.content.decode().splitlines()[0].endswith("workforce,adults")


def test_the_pdf_names_the_workforce_on_every_page(world, tmp_path):
    pdf = tmp_path / "adults.pdf"
    call_command("annual_report", year=YEAR, workforce="adults", format="pdf", output=str(pdf), stderr=io.StringIO())
    pages = pdf_pages(pdf.read_bytes())
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "The adults' workforce (PiPoT)" in page, f"page {number} does not name the workforce"
        assert "Financial year 2022/23" in page
    text = "\n".join(pages)
    assert "Strategy discussions held and who chaired them" in text and "Civil claims" in text


def test_the_pdf_asked_for_on_the_page_keeps_its_workforce(world, login, analyst):
    from reporting.models import ReportPdf
    from reporting.services import report_pdf_render

    client = login(analyst)
    response = client.post(reverse("reporting:annual_pdf_request"), {"year": YEAR, "workforce": "children"})
    pdf = ReportPdf.objects.get()
    assert response.status_code == 302 and pdf.workforce == "children"
    pdf = report_pdf_render(pdf_id=pdf.pk)
    pages = pdf_pages(pdf.file.open("rb").read())
    assert all("The children's workforce (LADO)" in page for page in pages)
    assert "Workforce" in client.get(reverse("reporting:annual_pdf", args=[pdf.pk])).content.decode()
    assert client.post(reverse("reporting:annual_pdf_request"), {"year": YEAR, "workforce": "x"}).status_code == 302
    assert ReportPdf.objects.count() == 1


def test_the_figures_page_uses_financial_quarters_labels_and_the_workforce(world, login, analyst, lado_service):
    from django.utils import timezone

    now = timezone.localtime()
    contact(lado_service=lado_service, received_at=now, contact_type=ContactType.NOT_ALLEGATION, workforce="adults")
    client = login(analyst)
    fy = now.year if now.month >= 4 else now.year - 1
    quarter = (now.month - 4) // 3 + 1 if now.month >= 4 else 4
    adults = client.get(reverse("reporting:figures"), {"workforce": "adults"}).content.decode()
    row = (f'<td class="govuk-table__cell" data-label="Financial year">{fy}/{(fy + 1) % 100:02d}</td>'
           f'<td class="govuk-table__cell" data-label="Quarter">Q{quarter}</td>\n'
           f'    <td class="govuk-table__cell" data-label="Type">Not an allegation (complaint or conduct matter)</td>')
    assert row in adults
    children = client.get(reverse("reporting:figures"), {"workforce": "children"}).content.decode()
    assert "Not an allegation (complaint or conduct matter)" not in children
    assert "not_allegation" not in adults and "not allegation" not in adults
    assert "Choose the children" in client.get(reverse("reporting:figures"), {"workforce": "x"}).content.decode()
