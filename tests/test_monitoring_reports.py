"""The annual report to the region and the analytic report, read back as a user gets them."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from portal.demo import seed_demo
from portal.extensions import db
from portal.matching.models import MentorshipForm, Pair
from portal.monitoring.annual import figures, people_behind
from portal.monitoring.models import AnnualReport, Campaign
from tests import factories


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # table cells wrap lines


@pytest.fixture
def year_2026(app):
    """Pairs in and around 2026, counted by hand in the comments below."""
    ts = factories.make_form("teacher-student", reported_as="студент – ученик")
    ss = factories.make_form(
        "student-student", name="ученик – ученик", reported_as="ученик – ученик"
    )
    tt = factories.make_form("teacher-teacher", name="педагог – педагог", reported_as=None)
    kid = lambda name, born=date(2012, 1, 1): factories.make_person(  # noqa: E731
        name, "Иван", None, birth_date=born, is_mentee=True, consent=True
    )
    m1 = factories.make_mentor_person("Наставник1")
    m2 = factories.make_mentor_person("Наставник2")
    m3 = factories.make_mentor_person("Наставник3")
    a, b, c = kid("Альфа"), kid("Бета"), kid("Гамма", born=date(2018, 3, 1))  # Гамма is 8
    d = kid("Дельта")
    young_teacher = factories.make_person(
        "Молодой", "Педагог", None, category="педагог", birth_date=date(1999, 1, 1), consent=True
    )
    # m1 with a and b in teacher–student, working all year.
    factories.make_pair(m1, [a, b], ts, started_on=date(2025, 9, 1))
    # m1 again with a in student–student (a takes part in two forms), finished in May.
    factories.make_pair(
        m1, [a], ss, status="завершена", started_on=date(2026, 2, 1), ended_on=date(2026, 5, 25)
    )
    # m2 with c, terminated in March: still counted.
    factories.make_pair(
        m2, [c], ts, status="расторгнута", started_on=date(2025, 10, 1), ended_on=date(2026, 3, 10)
    )
    # m2 with d, ended in 2025: not counted for 2026.
    factories.make_pair(
        m2, [d], ss, status="завершена", started_on=date(2025, 1, 10), ended_on=date(2025, 12, 1)
    )
    # m3 with the young teacher in teacher–teacher, which has no federal equivalent.
    factories.make_pair(m3, [young_teacher], tt, started_on=date(2026, 9, 1))
    # A draft pair never started: not counted.
    factories.make_pair(m3, [d], ts, status="черновик", started_on=date(2026, 6, 1))
    report = AnnualReport(period_kind="calendar", year=2026, students_10_plus=4)
    db.session.add(report)
    db.session.commit()
    return report


def test_annual_count_equals_the_hand_count(year_2026):
    fig = figures(year_2026)
    lines = {line.category: (line.mentors, line.mentees) for line in fig.lines}
    assert lines == {
        "студент – ученик": (2, 3),  # m1, m2; a, b, c (terminated c included)
        "ученик – ученик": (1, 1),  # m1; a (finished in May; d ended in 2025)
        "": (1, 1),  # m3; the young teacher, in the unmapped form
    }
    assert fig.unmapped_forms == ["педагог – педагог"]
    assert (fig.mentors_total, fig.mentees_total) == (3, 4)  # each person once overall
    assert fig.students_involved == 2  # a and b; c is 8, the young teacher is not a student
    assert fig.share == pytest.approx(0.5) and fig.target_met is False
    mentees = [p.last_name for p, _forms in people_behind(year_2026, "mentees", "студент – ученик")]
    assert mentees == ["Альфа", "Бета", "Гамма"]
    alpha = dict((p.last_name, forms) for p, forms in people_behind(year_2026, "mentees"))
    assert alpha["Альфа"] == ["педагог – ученик", "ученик – ученик"]


def test_annual_page_xlsx_and_pdf_show_the_same_figures(client, auth, curator, year_2026):
    auth.login(curator)
    page = client.get("/monitoring/annual/calendar/2026").get_data(as_text=True)
    assert "Форма «педагог – педагог» не сопоставлена с федеральной формой" in page
    assert "50,0 %" in page and "ниже целевых 70 %" in page
    people = client.get(
        "/monitoring/annual/calendar/2026/people?figure=mentees&category=студент – ученик"
    ).get_data(as_text=True)
    assert "Гамма Иван" in people and "Дельта" not in people
    book = load_workbook(io.BytesIO(client.get("/monitoring/annual/calendar/2026.xlsx").data))
    rows = [tuple(r) for r in book["Отчёт"].iter_rows(min_row=4, values_only=True)]
    assert ("студент – ученик", 2, 3, "педагог – ученик") in rows
    assert ("Всего (каждый человек один раз)", 3, 4) in [r[:3] for r in rows]
    listed = [r for r in book["Списки"].iter_rows(min_row=2, values_only=True)]
    assert sum(1 for r in listed if r[0] == "наставляемые") == 4
    text = _pdf_text(client.get("/monitoring/annual/calendar/2026.pdf").data)
    assert "Информация о количестве участников" in text
    assert "студент – ученик" in text and "50,0 %" in text


def test_marking_sent_freezes_the_figures_and_needs_the_student_count(
    client, auth, curator, year_2026
):
    year_2026.students_10_plus = None
    db.session.commit()
    auth.login(curator)
    response = client.post(
        "/monitoring/annual/calendar/2026/sent",
        data={"sent_on": "2026-12-25"},
        follow_redirects=True,
    )
    assert "Укажите число обучающихся" in response.get_data(as_text=True)
    client.post("/monitoring/annual/calendar/2026", data={"students_10_plus": "4"})
    client.post("/monitoring/annual/calendar/2026/sent", data={"sent_on": "2026-12-25"})
    db.session.expire_all()
    report = db.session.get(AnnualReport, year_2026.id)
    assert report.sent_on == date(2026, 12, 25)
    assert report.figures["mentees_total"] == 4


def _hand_count(start: date, end: date) -> dict:
    """Count the demo's participants the slow, obvious way: pair by pair, member by member."""
    forms = {f.id: f for f in db.session.scalars(select(MentorshipForm))}
    seen: dict[tuple, set] = {}
    for pair in db.session.scalars(select(Pair)):
        if pair.status == "черновик" or pair.started_on is None or pair.started_on > end:
            continue
        if pair.ended_on is not None and pair.ended_on < start:
            continue
        category = forms[pair.form_id].reported_as or ""
        seen.setdefault((category, "mentor"), set()).add(pair.mentor_id)
        for member in pair.members:
            if member.joined_on <= end and (member.left_on is None or member.left_on >= start):
                seen.setdefault((category, "mentee"), set()).add(member.mentee_id)
    return {key: len(ids) for key, ids in seen.items()}


def test_annual_count_on_the_demo_data_equals_a_hand_count(app):
    seed_demo(people=120)
    report = db.session.scalar(select(AnnualReport))  # last year's, sent
    this_year = AnnualReport(period_kind="calendar", year=report.year + 1)
    for r in (report, this_year):
        start, end = r.period
        fig = figures(r)
        counted = {}
        for line in fig.lines:
            if line.mentors:
                counted[line.category, "mentor"] = line.mentors
            if line.mentees:
                counted[line.category, "mentee"] = line.mentees
        assert counted == _hand_count(start, end)
    # The demo holds finished and terminated programmes in the counted years.
    statuses = set(db.session.scalars(select(Pair.status)))
    assert {"завершена", "расторгнута"} <= statuses
    assert report.sent_on is not None and report.figures["mentors_total"] > 0


def test_demo_has_a_finished_may_campaign_and_an_open_december_one(client, auth, app):
    ctx = seed_demo(people=120)
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.deadline)).all()
    may = next(c for c in campaigns if c.deadline.month == 5)
    assert may.status == "closed" and may.summary["rate"] >= 0.5
    open_ = [c for c in campaigns if c.is_open]
    assert all(c.deadline.month == 12 and c.deadline.day == 20 for c in open_)
    auth.login(ctx.users["curator"])
    page = client.get(f"/monitoring/campaigns/{may.id}/results").get_data(as_text=True)
    assert "<svg" in page and "Сравнение полугодий" in page
    assert "Этап 2. Рост участников" in page


def test_analytic_report_pdf_and_xlsx(client, auth, curator, app):
    form = factories.make_form()
    campaign = factories.make_campaign([form.id])
    q = factories.make_questionnaire(
        [
            (
                "Оценка",
                [
                    (
                        "scale",
                        "Насколько вы удовлетворены совместной работой?",
                        [],
                        True,
                        "satisfaction",
                    )
                ],
            )
        ],
        form=form,
    )
    mentor = factories.make_mentor_person()
    kids = [factories.make_person(f"Ученик{i}", "Иван", None, consent=True) for i in range(3)]
    pair = factories.make_pair(mentor, kids, form)
    for kid, value in zip(kids, ("4", "8", "9"), strict=True):
        factories.answer_questionnaire(
            factories.make_assignment(q, kid, pair, campaign), {1: value}
        )
    auth.login(curator)
    client.post(
        f"/monitoring/campaigns/{campaign.id}/swot",
        data={"strengths": "Наставляемые довольны работой в парах", "conclusions": "Продолжать"},
    )
    page = client.get(f"/monitoring/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert "среднее <b>7,00</b>" in page
    response = client.get(f"/monitoring/campaigns/{campaign.id}/report.pdf")
    assert response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert "Аналитический отчёт по итогам мониторинга" in text
    assert "Наставляемые довольны работой в парах" in text
    assert "7,0" in text  # the average in the matrix of the mentee questionnaires
    book = load_workbook(
        io.BytesIO(client.get(f"/monitoring/campaigns/{campaign.id}/report.xlsx").data)
    )
    assert book.sheetnames == ["Этап 1", "Отклик", "Этап 2", "SWOT и выводы"]
    row = next(book["Этап 1"].iter_rows(min_row=4, values_only=True))
    assert row[0] == "Насколько вы удовлетворены совместной работой?"
    assert row[3:5] == (3, 7.0)
