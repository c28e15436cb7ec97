"""Appointments, selection and training: roles follow records, marks follow attendance."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.access import Role
from portal.domain import RuleViolation
from portal.extensions import db
from portal.programme import people
from portal.programme.models import Appointment, CandidateDecision, MentorCandidate
from portal.timeutil import today_moscow
from tests import factories

TODAY = today_moscow()


# --- appointments ------------------------------------------------------------------------------


def test_roles_follow_the_appointment_records_and_history_stays(app, admin):
    teacher = factories.make_user(
        login="petrova", roles=["mentor"], full_name="Петрова Ольга Ивановна"
    )
    people.appoint("group", teacher.id, "101", date(2026, 9, 1), "Медиаплан")
    db.session.commit()
    assert teacher.roles == {Role.MENTOR, Role.GROUP}
    appointment = db.session.scalar(select(Appointment))
    people.end(appointment, date(2026, 11, 1), "приказ от 01.11.2026 № 130")
    db.session.commit()
    assert teacher.roles == {Role.MENTOR}
    page = factories.client_for(app, admin).get("/programme/appointments").get_data(as_text=True)
    assert (
        "Петрова Ольга Ивановна — член рабочей группы, приказ от 01.09.2026 № 101, "
        "с 01.09.2026 по 01.11.2026 (приказ от 01.11.2026 № 130)"
    ) in page


def test_a_new_curator_replaces_the_previous_one(app, admin):
    first = factories.make_user(login="first", roles=["group"])
    second = factories.make_user(login="second", roles=["group"])
    people.appoint("curator", first.id, "5", date(2026, 9, 1), None)
    people.appoint("curator", second.id, "77", date(2026, 10, 1), None)
    db.session.commit()
    assert Role.CURATOR not in first.roles and Role.GROUP in first.roles
    assert Role.CURATOR in second.roles
    assert len(people.current_appointments()) == 1


def test_appointment_form_refuses_missing_order_with_a_message(app, admin):
    teacher = factories.make_user(login="t", roles=["mentor"])
    client = factories.client_for(app, admin)
    response = client.post(
        "/programme/appointments", data={"kind": "group", "user_id": teacher.id, "order_number": ""}
    )
    assert response.status_code == 422
    assert "Укажите номер приказа." in response.get_data(as_text=True)
    assert db.session.scalar(select(Appointment)) is None
    assert Role.GROUP not in teacher.roles


# --- selection -----------------------------------------------------------------------------------


def _apply(**overrides) -> MentorCandidate:
    values = dict(
        last_name="Волкова",
        first_name="Ирина",
        middle_name="Павловна",
        category="педагог",
        workplace="МБУ ДО Центр «Эдельвейс»",
        email=None,
        phone=None,
        competencies="Робототехника, подготовка к олимпиадам",
        motivation="Хочу делиться опытом",
        desired_mentees="12–15 лет",
    )
    values.update(overrides)
    candidate = people.apply(**values)
    db.session.commit()
    return candidate


def test_accepted_candidate_enters_the_base_of_mentors(app, curator):
    candidate = _apply()
    client = factories.client_for(app, curator)
    assert "Волкова Ирина Павловна" not in client.get("/people/mentors").get_data(as_text=True)
    response = client.post(
        f"/programme/candidates/{candidate.id}/interview",
        data={"interview_on": TODAY.isoformat(), "interview_note": "Готова вести двоих"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/programme/candidates/{candidate.id}/decision", data={"accepted": "yes"}
    )
    assert response.status_code == 302
    db.session.refresh(candidate)
    assert candidate.decision == CandidateDecision.ACCEPTED
    assert candidate.person.is_mentor
    assert "Волкова Ирина Павловна" in client.get("/people/mentors").get_data(as_text=True)


def test_a_refusal_needs_its_reason(app, curator):
    candidate = _apply()
    client = factories.client_for(app, curator)
    response = client.post(
        f"/programme/candidates/{candidate.id}/decision", data={"accepted": "no"}
    )
    assert response.status_code == 422
    assert "Укажите причину отказа." in response.get_data(as_text=True)
    db.session.refresh(candidate)
    assert candidate.decision == CandidateDecision.PENDING
    client.post(
        f"/programme/candidates/{candidate.id}/decision",
        data={"accepted": "no", "reason": "Нет свободного времени"},
    )
    db.session.refresh(candidate)
    assert (candidate.decision, candidate.person.is_mentor) == (CandidateDecision.DECLINED, False)


# --- training ------------------------------------------------------------------------------------


def _event(topic="Роль наставника", days_ago=10, required=True):
    event = people.save_event(
        None,
        topic=topic,
        programme="1. Цели. 2. Практика.",
        held_on=TODAY - timedelta(days=days_ago),
        hours=4,
        trainer="Соколова А. В.",
        place="ауд. 12",
        required=required,
    )
    db.session.commit()
    return event


def test_training_mark_follows_attendance_of_the_required_events(app, curator):
    mentor = factories.make_mentor_person()
    first, second = _event(), _event("Сложные ситуации", days_ago=5)
    _event("Необязательный семинар", days_ago=3, required=False)
    people.set_attendance(first, [mentor.id])
    db.session.commit()
    assert (mentor.training_completed, mentor.training_completed_on) == (False, None)
    people.set_attendance(second, [mentor.id])
    db.session.commit()
    assert (mentor.training_completed, mentor.training_completed_on) == (True, second.held_on)
    page = factories.client_for(app, curator).get(f"/people/{mentor.id}").get_data(as_text=True)
    assert f"пройдено {second.held_on:%d.%m.%Y}" in page
    listing = factories.client_for(app, curator).get("/programme/training").get_data(as_text=True)
    assert f"пройдено {second.held_on:%d.%m.%Y}</span>" in listing
    people.set_attendance(first, [])  # recorded by mistake: the mark goes away
    db.session.commit()
    assert mentor.training_completed is False


def test_attendance_only_for_mentors_and_candidates(app, curator):
    event = _event()
    pupil = factories.make_mentee_person()
    candidate = _apply()
    with pytest.raises(RuleViolation, match="только наставникам и кандидатам"):
        people.set_attendance(event, [pupil.id, candidate.person_id])
    db.session.rollback()
    client = factories.client_for(app, curator)
    response = client.post(
        f"/programme/training/{event.id}/attendance",
        data={"person": [pupil.id]},
        follow_redirects=True,
    )
    assert "Посещаемость отмечают только наставникам и кандидатам" in response.get_data(
        as_text=True
    )
    assert db.session.get(type(event), event.id).attendance == []
    people.set_attendance(event, [candidate.person_id])
    db.session.commit()
    assert [a.person_id for a in event.attendance] == [candidate.person_id]


def test_certificate_only_for_someone_who_attended(app, curator):
    event = _event()
    mentor = factories.make_mentor_person()
    other = factories.make_mentor_person("Смирнов", "Олег")
    people.set_attendance(event, [mentor.id])
    db.session.commit()
    client = factories.client_for(app, curator)
    pdf = client.get(f"/programme/training/{event.id}/certificate/{mentor.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "СПРАВКА" in text
    assert "Кузнецова Елена Сергеевна" in text
    assert "«Роль наставника»" in text
    refused = client.get(
        f"/programme/training/{event.id}/certificate/{other.id}.pdf", follow_redirects=True
    )
    assert "не отмечен(а) на обучении «Роль наставника»: справку не выдать" in refused.get_data(
        as_text=True
    )


def test_a_mentor_gets_their_own_certificate_and_no_one_elses(app, mentor):
    event = _event()
    me = factories.make_mentor_person(user=mentor)
    other = factories.make_mentor_person("Смирнов", "Олег")
    people.set_attendance(event, [me.id, other.id])
    db.session.commit()
    client = factories.client_for(app, mentor)
    assert client.get(f"/programme/training/{event.id}/certificate/{me.id}.pdf").status_code == 200
    assert (
        client.get(f"/programme/training/{event.id}/certificate/{other.id}.pdf").status_code == 403
    )


def test_queue_lists_candidates_in_review_until_decided(app, curator, group):
    from portal.notifications.queue import work_queue

    def titles(user):
        with app.test_request_context():
            return {i.title: (i.count, i.url) for i in work_queue(user)}

    candidate = _apply()
    waiting = "Кандидаты в наставники ждут собеседования и решения"
    for user in (curator, group):
        count, url = titles(user)[waiting]
        assert count == 1
        assert url.startswith("/programme/candidates?decision=")
    people.decide(candidate, True, None, curator)
    db.session.commit()
    assert waiting not in titles(curator)


def test_queue_lists_training_in_the_next_two_weeks(app, group):
    from portal.notifications.queue import work_queue

    people.save_event(
        None,
        topic="Наставничество в группе",
        held_on=TODAY + timedelta(days=5),
        hours=2,
        trainer="Лебедев И. Н.",
        place="ауд. 3",
        required=False,
    )
    db.session.commit()
    with app.test_request_context():
        items = {i.title: i for i in work_queue(group)}
    item = items["Обучение наставников в ближайшие 14 дней"]
    assert (item.count, item.due) == (1, TODAY + timedelta(days=5))
