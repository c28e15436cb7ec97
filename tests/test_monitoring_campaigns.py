"""Campaigns and answering: who is asked what, saving as one goes, the refusals of bad input."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.domain import RuleViolation
from portal.extensions import db
from portal.monitoring import campaigns as service
from portal.monitoring.defaults import install_defaults
from portal.monitoring.models import Answer, Assignment, Campaign
from portal.monitoring.queue import work_items
from portal.timeutil import today_moscow
from tests import factories


@pytest.fixture
def world(app, curator, mentor, mentee):
    """The demo situation (mentor, 12-year-old mentee) plus a finished pair of another mentor."""
    mentor_p, child, _mother, pair = factories.make_agreement_parties(mentor, mentee)
    install_defaults()
    db.session.commit()
    other = factories.make_mentor_person("Петрова", "Ольга")
    finished_mentee = factories.make_person("Сидоров", "Пётр", is_mentee=True, consent=True)
    finished = factories.make_pair(
        other, [finished_mentee], pair.form, status="завершена", ended_on=date(2026, 10, 1)
    )
    deadline = date(today_moscow().year + 1, 5, 20)
    campaign = factories.make_campaign([pair.form_id], deadline=deadline)
    return {
        "pair": pair,
        "mentor": mentor_p,
        "child": child,
        "finished": finished,
        "campaign": campaign,
        "finished_mentee": finished_mentee,
        "other": other,
    }


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_campaign_with_a_past_deadline_is_refused(client, auth, curator, world):
    auth.login(curator)
    before = _count(Campaign)
    response = client.post(
        "/monitoring/campaigns/new",
        data={"deadline": "2020-12-20", "forms": [world["pair"].form_id], "stages": ["quality"]},
    )
    assert response.status_code == 422
    assert "уже прошёл" in response.get_data(as_text=True)
    assert _count(Campaign) == before


def test_assignment_reaches_every_current_participant(world, curator):
    result = service.assign_campaign(world["campaign"])
    db.session.commit()
    rows = {(a.person_id or a.user_id, a.moment) for a in db.session.scalars(select(Assignment))}
    mentor, child = world["mentor"].id, world["child"].id
    # Half-year and entry questionnaires for the working pair, and the curator's own.
    assert {
        (mentor, "half_year"),
        (child, "half_year"),
        (mentor, "entry"),
        (child, "entry"),
        (curator.id, "half_year"),
    } <= rows
    # The pair that ended on 1 October is outside the May half-year: no exit asked.
    assert (world["finished_mentee"].id, "exit") not in rows
    assert result.created == 5
    # Running again adds nothing.
    assert service.assign_campaign(world["campaign"]).created == 0


def test_exit_questionnaires_follow_a_pair_that_ends(world):
    december = factories.make_campaign([world["pair"].form_id], deadline=date(2099, 12, 20))
    december.period_start, december.period_end = date(2026, 7, 1), date(2026, 12, 31)
    db.session.commit()
    service.assign_campaign(december)
    exits = db.session.scalars(select(Assignment.person_id).where(Assignment.moment == "exit"))
    assert set(exits) == {world["finished_mentee"].id, world["other"].id}
    # When a pair ends between campaigns the pair hook gives the exit questionnaires at once.
    assert service.assign_pair_moment(world["pair"], "exit") == 2


def _mine(world, who="child"):
    service.assign_campaign(world["campaign"])
    db.session.commit()
    return db.session.scalar(
        select(Assignment).where(
            Assignment.person_id == world[who].id, Assignment.moment == "half_year"
        )
    )


def test_answers_save_as_they_go_and_resume(client, auth, mentee, world):
    assignment = _mine(world)
    first = assignment.questionnaire.questions[0]
    auth.login(mentee)
    response = client.post(
        f"/monitoring/answer/{assignment.id}/q/{first.id}",
        data={f"q{first.id}": "8"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Сохранено" in response.get_data(as_text=True)
    page = client.get(f"/monitoring/answer/{assignment.id}").get_data(as_text=True)
    assert f'name="q{first.id}" value="8" checked' in page
    assert "начата" in client.get("/monitoring/my").get_data(as_text=True)


@pytest.mark.parametrize("value", ["11", "0", "-3", "семь", "7.5"])
def test_an_answer_outside_one_to_ten_is_refused(client, auth, mentee, world, value):
    assignment = _mine(world)
    first = assignment.questionnaire.questions[0]
    factories.answer_questionnaire(assignment, {1: "5"}, submit=False)
    auth.login(mentee)
    response = client.post(
        f"/monitoring/answer/{assignment.id}/q/{first.id}",
        data={f"q{first.id}": value},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Оценка — целое число от 1 до 10." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Answer.value).where(Answer.question_id == first.id)) == 5


def test_submission_needs_every_required_answer_and_keeps_what_was_given(
    client, auth, mentee, world
):
    assignment = _mine(world)
    questions = assignment.questionnaire.questions
    auth.login(mentee)
    response = client.post(
        f"/monitoring/answer/{assignment.id}/submit", data={f"q{questions[0].id}": "9"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Анкета не отправлена: ответьте на обязательные вопросы № 2" in text
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).submitted_at is None
    assert db.session.scalar(select(Answer.value).where(Answer.question_id == questions[0].id)) == 9


def _complete(assignment):
    values = {}
    for q in assignment.questionnaire.questions:
        if q.required:
            values[q.position] = {"scale": "7", "yesno": "1"}.get(q.kind, "0")
    return values


def test_a_second_submission_is_refused_and_changes_nothing(client, auth, mentee, world):
    assignment = _mine(world)
    factories.answer_questionnaire(assignment, _complete(assignment))
    sent_at = assignment.submitted_at
    first = assignment.questionnaire.questions[0]
    auth.login(mentee)
    response = client.post(f"/monitoring/answer/{assignment.id}/submit", data={f"q{first.id}": "1"})
    assert response.status_code == 422
    assert "уже отправлена" in response.get_data(as_text=True)
    again = client.post(
        f"/monitoring/answer/{assignment.id}/q/{first.id}",
        data={f"q{first.id}": "2"},
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 422
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).submitted_at == sent_at
    assert db.session.scalar(select(Answer.value).where(Answer.question_id == first.id)) == 7
    with pytest.raises(RuleViolation):
        service.submit(db.session.get(Assignment, assignment.id))


def test_someone_elses_questionnaire_is_refused(client, auth, mentee, stranger, world):
    assignment = _mine(world, who="mentor")
    first = assignment.questionnaire.questions[0]
    auth.login(mentee)  # the mentee answering the mentor's questionnaire
    for response in (
        client.get(f"/monitoring/answer/{assignment.id}"),
        client.post(f"/monitoring/answer/{assignment.id}/q/{first.id}", data={f"q{first.id}": "3"}),
        client.post(f"/monitoring/answer/{assignment.id}/submit", data={}),
        client.get(f"/monitoring/assignments/{assignment.id}"),
    ):
        assert response.status_code == 403
        assert "Это не ваша анкета" in response.get_data(as_text=True)
    assert _count(Answer) == 0


def test_individual_answers_only_to_the_person_and_the_curator(
    client, auth, curator, group, mentee, mentor, world
):
    assignment = _mine(world)
    questionnaire = assignment.questionnaire
    questionnaire.anonymous = False
    db.session.commit()
    factories.answer_questionnaire(assignment, _complete(assignment))
    url = f"/monitoring/assignments/{assignment.id}"
    for user, allowed in ((mentee, True), (curator, True), (group, False), (mentor, False)):
        auth.login(user)
        response = client.get(url)
        assert (response.status_code == 200) is allowed, user.login
    # An anonymous questionnaire is not opened even to the curator.
    questionnaire.anonymous = True
    db.session.commit()
    auth.login(curator)
    assert client.get(url).status_code == 403


def test_deadline_change_to_the_past_is_refused(client, auth, curator, world):
    campaign = world["campaign"]
    auth.login(curator)
    response = client.post(
        f"/monitoring/campaigns/{campaign.id}/deadline",
        data={"deadline": (today_moscow() - timedelta(days=1)).isoformat()},
        follow_redirects=True,
    )
    assert "уже прошёл" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).deadline == date(today_moscow().year + 1, 5, 20)


def test_start_page_lists_questionnaires_and_deadlines(client, auth, curator, mentee, world):
    assignment = _mine(world)
    with client.application.test_request_context():
        items = work_items(mentee, today=date(2026, 12, 1))
        curator_items = work_items(curator, today=date(2026, 12, 1))
    assert [(i.title, i.count, i.due) for i in items] == [
        ("Анкеты мониторинга ждут ваших ответов", 2, assignment.due_on)
    ]
    titles = [i.title for i in curator_items]
    # The nearer of 20 December and 20 May first; the May campaign of the world is open.
    # The curator's own questionnaire, then 20 December (nearer) and 20 May, then the report.
    assert titles[0] == "Анкеты мониторинга ждут ваших ответов"
    assert titles[1] == "Мониторинг до 20 декабря не открыт"
    assert titles[2].startswith("Мониторинг до 20 мая: ответили 0 из ")
    report = next(i for i in curator_items if "30 декабря" in i.title)
    assert report.due == date(2026, 12, 30) and report.tone == "warning"
    auth.login(mentee)
    page = client.get("/").get_data(as_text=True)
    assert "Анкеты мониторинга ждут ваших ответов" in page
    assert "срок" in page


def test_a_pair_completed_in_matching_gets_exit_questionnaires(world):
    from portal.matching import pairs as matching

    matching.complete(world["pair"], "План выполнен", on=date(2026, 11, 30))
    db.session.commit()
    exits = db.session.scalars(
        select(Assignment.person_id).where(
            Assignment.moment == "exit", Assignment.pair_id == world["pair"].id
        )
    )
    assert set(exits) == {world["mentor"].id, world["child"].id}


def test_responses_page_lists_who_has_not_answered_page_by_page(client, auth, curator, world):
    from portal.monitoring import views

    second = factories.make_person("Белов", "Олег", is_mentee=True, consent=True)
    factories.make_pair(world["other"], [second], world["pair"].form)
    service.assign_campaign(world["campaign"])
    db.session.commit()
    auth.login(curator)
    url = f"/monitoring/campaigns/{world['campaign'].id}/responses"
    views.PER_PAGE, saved = 1, views.PER_PAGE
    try:
        first = client.get(url).get_data(as_text=True)
        second_page = client.get(url + "?page=2").get_data(as_text=True)
    finally:
        views.PER_PAGE = saved
    assert "Страница 1 из 2" in first and f'href="{url}?page=2"' in first
    assert "Кузнецова Е.С., Орлов Д.А." in first and "0 из 4" in first
    assert "Белов О." in second_page and "Орлов" not in second_page


def test_a_pair_that_starts_gets_its_entry_questionnaires(world):
    from portal.matching import pairs as matching

    newcomer = factories.make_person("Новикова", "Вера", is_mentee=True, consent=True)
    draft = factories.make_pair(world["mentor"], [newcomer], world["pair"].form, status="черновик")
    matching.activate(draft, on=date(2026, 11, 2))
    db.session.commit()
    entries = db.session.scalars(
        select(Assignment.person_id).where(
            Assignment.moment == "entry", Assignment.pair_id == draft.id
        )
    )
    assert set(entries) == {world["mentor"].id, newcomer.id}


def test_assigned_questionnaires_reach_the_bell_of_their_respondents_only(
    world, mentee, mentor, stranger
):
    from portal.notifications.models import Notification

    service.assign_campaign(world["campaign"])
    db.session.commit()
    notes = {n.user_id: n for n in db.session.scalars(select(Notification))}
    assert stranger.id not in notes
    note = notes[mentee.id]
    assert note.kind == "questionnaire_assigned"
    assert note.text.startswith("Анкеты мониторинга (2) ждут ваших ответов до ")
    mine = db.session.scalars(
        select(Assignment.id).where(Assignment.person_id == world["child"].id)
    ).all()
    assert note.url_args == {"assignment_id": note.object_id} and note.object_id in mine
    assert mentor.id in notes  # the mentor's own two questionnaires
    # Running again hands out nothing new and tells nobody twice.
    service.assign_campaign(world["campaign"])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == len(notes)
