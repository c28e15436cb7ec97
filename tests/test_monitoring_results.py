"""Known answers give known figures: stage 1 distributions and averages, anonymity, consent
revocation, stage 2 changes — every expected number worked out by hand in the test."""

from datetime import date

import pytest

from portal.extensions import db
from portal.monitoring import campaigns as service
from portal.monitoring.results import stage_one, stage_two, summarise, trend
from tests import factories

QUALITY = [
    (
        "Оценка",
        [
            ("scale", "Насколько вы удовлетворены совместной работой?", [], True, "satisfaction"),
            ("yesno", "Хотели бы вы продолжить?", [], True, None),
            ("single", "Как часто вы встречались?", ["еженедельно", "ежемесячно"], True, None),
            ("multi", "Чего вы ожидали?", ["знаний", "поддержки", "результата"], False, None),
            ("text", "Что было самым ценным?", [], False, None),
        ],
    )
]


def _people(n, form):
    mentor = factories.make_mentor_person(consent=True, capacity=10)
    mentees = [
        factories.make_person(f"Ученик{i}", "Иван", None, is_mentee=True, consent=True)
        for i in range(n)
    ]
    pair = factories.make_pair(mentor, mentees, form)
    return mentor, mentees, pair


@pytest.fixture
def survey(app):
    form = factories.make_form()
    campaign = factories.make_campaign([form.id])
    questionnaire = factories.make_questionnaire(QUALITY, form=form)
    mentor, mentees, pair = _people(4, form)
    assignments = [factories.make_assignment(questionnaire, m, pair, campaign) for m in mentees]
    return campaign, questionnaire, mentees, pair, assignments


def _result(campaign, questionnaire):
    one = stage_one(campaign)
    return next(qr for qr in one.questionnaires if qr.questionnaire.id == questionnaire.id), one


def test_known_answers_give_known_distribution_and_average(survey):
    campaign, questionnaire, _mentees, _pair, a = survey
    factories.answer_questionnaire(a[0], {1: "3", 2: "1", 3: "0", 4: ["0", "1"], 5: "Всё"})
    factories.answer_questionnaire(a[1], {1: "7", 2: "1", 3: "1", 4: ["1"]})
    factories.answer_questionnaire(a[2], {1: "8", 2: "0", 3: "0", 4: ["1", "2"]})
    factories.answer_questionnaire(a[3], {1: "10", 2: "1", 3: "0"}, submit=False)  # not sent

    qr, one = _result(campaign, questionnaire)
    scale, yesno, single, multi, text = qr.questions
    assert (qr.assigned, qr.submitted) == (4, 3)
    # (3 + 7 + 8) / 3 = 6.0; the unsent 10 counts nowhere.
    assert scale.average == pytest.approx(6.0)
    assert scale.counts == {3: 1, 7: 1, 8: 1}
    assert [n for _label, n, _share in scale.rows] == [0, 0, 1, 0, 0, 0, 1, 1, 0, 0]
    assert yesno.yes_share == pytest.approx(2 / 3)
    assert [(label, n) for label, n, _ in single.rows] == [("еженедельно", 2), ("ежемесячно", 1)]
    # "поддержки" was ticked by all three respondents: 100 %, not a share of ticks.
    assert multi.answered == 3
    assert [(label, n) for label, n, _ in multi.rows] == [
        ("знаний", 1),
        ("поддержки", 3),
        ("результата", 1),
    ]
    assert multi.rows[1][2] == pytest.approx(1.0)
    assert text.text_count == 1
    assert qr.satisfaction == pytest.approx(6.0)
    assert one.responses[0].assigned == 4 and one.responses[0].submitted == 3
    assert one.weakest[0][1].question.text.startswith("Насколько вы удовлетворены")


def test_anonymous_results_appear_only_for_three_or_more(survey):
    campaign, questionnaire, _mentees, _pair, a = survey
    questionnaire.anonymous = True
    db.session.commit()
    factories.answer_questionnaire(a[0], {1: "4", 2: "1", 3: "0"})
    factories.answer_questionnaire(a[1], {1: "6", 2: "1", 3: "0"})
    qr, one = _result(campaign, questionnaire)
    assert qr.submitted == 2 and qr.hidden
    assert qr.satisfaction is None
    assert one.strongest == [] and one.weakest == []
    factories.answer_questionnaire(a[2], {1: "8", 2: "1", 3: "0"})
    qr, _ = _result(campaign, questionnaire)
    assert not qr.hidden
    assert qr.questions[0].average == pytest.approx(6.0)


def test_anonymous_results_page_hides_small_groups(client, auth, curator, survey):
    campaign, questionnaire, _mentees, _pair, a = survey
    questionnaire.anonymous = True
    db.session.commit()
    factories.answer_questionnaire(a[0], {1: "4", 2: "1", 3: "0"})
    auth.login(curator)
    page = client.get(f"/monitoring/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert "результаты не показываются" in page
    assert "среднее" not in page


def test_revoked_consent_leaves_the_report_and_is_counted(survey):
    campaign, questionnaire, mentees, _pair, a = survey
    for assignment, value in zip(a[:3], ("2", "6", "10"), strict=True):
        factories.answer_questionnaire(assignment, {1: value, 2: "1", 3: "0"})
    consent = mentees[0].consents[0]
    consent.revoked_on = date(2026, 11, 1)
    db.session.commit()
    qr, one = _result(campaign, questionnaire)
    assert one.excluded_people == 1
    assert (qr.submitted, qr.excluded) == (2, 1)
    assert qr.questions[0].average == pytest.approx(8.0)  # (6 + 10) / 2


GROWTH = [
    (
        "Самооценка",
        [
            ("scale", "Умею ставить цели", [], True, "goals"),
            ("scale", "Уверен в себе", [], True, "confidence"),
        ],
    )
]


def test_entry_against_exit_gives_known_changes(app):
    form = factories.make_form()
    entry = factories.make_questionnaire(GROWTH, moment="entry", form=form)
    exit_ = factories.make_questionnaire(GROWTH, moment="exit", form=form)
    _mentor, mentees, pair = _people(3, form)
    pair.status, pair.ended_on = "завершена", date(2026, 11, 20)
    db.session.commit()
    # (entry goals, entry confidence) → (exit goals, exit confidence)
    scores = [(("4", "6"), ("8", "7")), (("5", "5"), ("5", "4")), (("2", "3"), ("6", "5"))]
    for mentee, (before, after) in zip(mentees, scores, strict=True):
        e = factories.make_assignment(entry, mentee, pair, moment="entry")
        x = factories.make_assignment(exit_, mentee, pair, moment="exit")
        factories.answer_questionnaire(e, {1: before[0], 2: before[1]})
        factories.answer_questionnaire(x, {1: after[0], 2: after[1]})
    forms, measures = stage_two(date(2026, 7, 1), date(2026, 12, 31))
    (row,) = forms
    # Per person mean change: (4 + 1) / 2 = 2.5; (0 - 1) / 2 = -0.5; (4 + 2) / 2 = 3.0.
    assert row.participants == 3
    assert row.change == pytest.approx((2.5 - 0.5 + 3.0) / 3)
    assert row.improved == 2 and row.improved_share == pytest.approx(2 / 3)
    assert row.completed == 1 + 1 + 1 and row.terminated == 0
    goals = next(m for m in measures if m.measure == "goals")
    assert (goals.entry, goals.exit) == (pytest.approx(11 / 3), pytest.approx(19 / 3))
    # A pair that ended outside the half-year is not in it.
    assert stage_two(date(2026, 1, 1), date(2026, 6, 30)) == ([], [])


def test_trend_reads_closed_campaigns_from_their_summary(survey):
    campaign, questionnaire, _mentees, _pair, a = survey
    factories.answer_questionnaire(a[0], {1: "9", 2: "1", 3: "0"})
    service.close_campaign(campaign)
    db.session.commit()
    assert campaign.summary == {"rate": 0.25, "satisfaction": {"mentee": 9.0}}
    later = factories.make_campaign([questionnaire.form_id], deadline=date(2027, 5, 20))
    points = trend(later, summarise(later))
    assert [c.id for c, _ in points] == [campaign.id, later.id]
    assert points[0][1]["rate"] == 0.25
