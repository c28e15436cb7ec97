"""Questionnaires as data: the shipped defaults, the editor, and versions that keep answers."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.monitoring import questionnaires as editor
from portal.monitoring.defaults import install_defaults
from portal.monitoring.models import Assignment, Question, Questionnaire
from portal.monitoring.results import stage_one
from tests import factories


def test_defaults_cover_the_three_local_forms(app):
    for code, name in (
        ("teacher-student", "педагог – ученик"),
        ("student-student", "ученик – ученик"),
        ("teacher-teacher", "педагог – педагог"),
    ):
        factories.make_form(code, name=name)
    made = install_defaults()
    db.session.commit()
    assert len(made) == 3 * 2 * 3 + 1  # forms × (mentor, mentee) × (entry, exit, half-year)
    assert install_defaults() == []  # never twice
    exit_mentee = db.session.scalar(
        select(Questionnaire).where(Questionnaire.family == "student-student:mentee:exit")
    )
    texts = [q.text for q in exit_mentee.questions]
    assert "Насколько вы удовлетворены совместной работой?" in texts
    assert "Планируете ли вы сами стать наставником?" in texts
    assert {q.kind for q in exit_mentee.questions} == {"scale", "yesno", "single", "text"}
    entry = db.session.scalar(
        select(Questionnaire).where(Questionnaire.family == "student-student:mentee:entry")
    )
    # Entry and exit share the self-assessment measures, so they can be compared.
    assert {q.measure for q in entry.questions if q.measure} <= {
        q.measure for q in exit_mentee.questions if q.measure
    }
    curator_q = db.session.scalar(select(Questionnaire).where(Questionnaire.family == "curator"))
    assert curator_q.respondent == "curator" and curator_q.form_id is None


def _survey():
    form = factories.make_form()
    campaign = factories.make_campaign([form.id])
    q = factories.make_questionnaire(
        [("Оценка", [("scale", "Насколько полезны встречи?", [], True, "meetings")])], form=form
    )
    mentor = factories.make_mentor_person()
    mentees = [
        factories.make_person(f"Ученик{i}", "Иван", None, is_mentee=True, consent=True)
        for i in range(2)
    ]
    pair = factories.make_pair(mentor, mentees, form)
    return campaign, q, [factories.make_assignment(q, m, pair, campaign) for m in mentees]


def test_a_questionnaire_without_answers_is_edited_in_place(app):
    _campaign, q, _ = _survey()
    editor.save_question(
        q,
        q.questions[0],
        kind="scale",
        text="Насколько полезны личные встречи?",
        options=None,
        required=True,
        measure="meetings",
        section_id=None,
    )
    db.session.commit()
    assert q.version == 1 and q.questions[0].text == "Насколько полезны личные встречи?"


def test_editing_a_questionnaire_with_answers_is_refused(client, auth, curator, app):
    _campaign, q, (first, _second) = _survey()
    factories.answer_questionnaire(first, {1: "6"}, submit=False)
    question = q.questions[0]
    auth.login(curator)
    response = client.post(
        f"/monitoring/questionnaires/{q.id}/questions/{question.id}",
        data={
            f"q{question.id}-text": "Другой вопрос",
            f"q{question.id}-kind": "scale",
            f"q{question.id}-section_id": "0",
        },
    )
    assert response.status_code == 422
    assert "уже отвечали: менять её нельзя" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Question, question.id).text == "Насколько полезны встречи?"
    assert db.session.scalar(select(func.count()).select_from(Questionnaire)) == 1


def test_a_new_version_keeps_old_answers_with_their_old_questions(client, auth, curator, app):
    campaign, q, (first, second) = _survey()
    factories.answer_questionnaire(first, {1: "6"})
    auth.login(curator)
    response = client.post(f"/monitoring/questionnaires/{q.id}/version")
    assert response.status_code == 302
    new = db.session.scalar(select(Questionnaire).where(Questionnaire.version == 2))
    assert new.current and not db.session.get(Questionnaire, q.id).current
    client.post(
        f"/monitoring/questionnaires/{new.id}/questions/{new.questions[0].id}",
        data={
            f"q{new.questions[0].id}-text": "Насколько полезны встречи с наставником?",
            f"q{new.questions[0].id}-kind": "scale",
            f"q{new.questions[0].id}-section_id": "0",
            f"q{new.questions[0].id}-required": "y",
        },
    )
    db.session.expire_all()
    # The unanswered assignment moved to version 2; the answered one stays on version 1.
    assert db.session.get(Assignment, second.id).questionnaire_id == new.id
    assert db.session.get(Assignment, first.id).questionnaire_id == q.id
    factories.answer_questionnaire(db.session.get(Assignment, second.id), {1: "9"})
    one = stage_one(campaign)
    by_version = {qr.questionnaire.version: qr for qr in one.questionnaires}
    assert by_version[1].questions[0].question.text == "Насколько полезны встречи?"
    assert by_version[1].questions[0].average == 6
    assert by_version[2].questions[0].question.text == "Насколько полезны встречи с наставником?"
    assert by_version[2].questions[0].average == 9
    page = client.get(f"/monitoring/campaigns/{campaign.id}/results").get_data(as_text=True)
    assert "Тестовая анкета (версия 1)" in page and "Тестовая анкета (версия 2)" in page


def test_choice_question_needs_two_options(client, auth, curator, app):
    _campaign, q, _ = _survey()
    auth.login(curator)
    response = client.post(
        f"/monitoring/questionnaires/{q.id}/questions",
        data={
            "new-text": "Что понравилось?",
            "new-kind": "single",
            "new-options": "одно",
            "new-section_id": "0",
        },
    )
    assert response.status_code == 422
    assert "не меньше двух вариантов" in response.get_data(as_text=True)
    assert len(db.session.get(Questionnaire, q.id).questions) == 1
