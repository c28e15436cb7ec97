"""Remote methodical help: club-bound requests, own requests only, answers, consultations with a
reminder the day before, the deputies' view and the club library."""

from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.communication import help as domain
from portal.communication.models import Consultation, ConsultationRequest, TeacherProfile
from portal.communication.statuses import ConsultationKind, ContactKind, RequestStatus
from portal.domain import RuleViolation
from portal.extensions import db
from portal.notifications.core import make_reminders
from portal.notifications.models import Notification
from portal.notifications.queue import work_queue
from tests import factories


@pytest.fixture
def club(app):
    """A robotics teacher with an account, two students of the club, a parent of the first,
    and a journalism teacher."""
    teacher_user = factories.make_user(
        login="teacher", roles=["mentor"], full_name="Кузнецова Е. С."
    )
    teacher = factories.make_person(
        "Кузнецова",
        "Елена",
        "Сергеевна",
        category="педагог",
        club="Робототехника",
        birth_date=date(1985, 1, 1),
        user=teacher_user,
    )
    other_teacher = factories.make_person(
        "Зайцев",
        "Олег",
        "Ильич",
        category="педагог",
        club="Юный журналист",
        birth_date=date(1980, 1, 1),
    )
    student_user = factories.make_user(login="student", roles=["mentee"])
    parent_user = factories.make_user(login="mother", roles=["parent"])
    child, _ = factories.make_child_with_parent(child_user=student_user, parent_user=parent_user)
    other_user = factories.make_user(login="student2", roles=["mentee"])
    other_child = factories.make_person(
        "Смирнова", "Алина", is_mentee=True, club="Робототехника", user=other_user
    )
    db.session.commit()
    from types import SimpleNamespace

    return SimpleNamespace(
        teacher_user=teacher_user,
        teacher=teacher,
        other_teacher=other_teacher,
        student_user=student_user,
        parent_user=parent_user,
        child=child,
        other_user=other_user,
        other_child=other_child,
    )


def test_request_only_to_a_teacher_of_the_students_club(club):
    with pytest.raises(RuleViolation, match="не ведёт объединение «Робототехника»"):
        domain.ask(
            club.student_user,
            club.child,
            club.other_teacher,
            "Помогите с датчиком",
            ContactKind.PHONE,
            "",
        )
    with pytest.raises(RuleViolation, match="только за себя или за своего ребёнка"):
        domain.ask(
            club.student_user, club.other_child, club.teacher, "Чужой", ContactKind.PHONE, ""
        )
    made = domain.ask(
        club.parent_user,
        club.child,
        club.teacher,
        "Как подготовиться к соревнованиям",
        ContactKind.MESSENGER,
        "вечер",
    )
    assert made.student_id == club.child.id and made.status == RequestStatus.WAITING


def test_students_see_only_their_own_requests(club, client, auth):
    mine = domain.ask(
        club.student_user, club.child, club.teacher, "Мой вопрос про моторы", ContactKind.PHONE, ""
    )
    theirs = domain.ask(
        club.other_user,
        club.other_child,
        club.teacher,
        "Чужой вопрос про пайку",
        ContactKind.EMAIL,
        "",
    )
    db.session.commit()
    auth.login(club.other_user)
    page = client.get("/communication/help").get_data(as_text=True)
    assert "Чужой вопрос про пайку" in page and "Мой вопрос про моторы" not in page
    assert client.get(f"/communication/help/requests/{mine.id}").status_code == 404
    assert client.get(f"/communication/help/requests/{theirs.id}").status_code == 200
    auth.login(club.parent_user)  # the parent sees the child's request, not the other one
    page = client.get("/communication/help").get_data(as_text=True)
    assert "Мой вопрос про моторы" in page and "Чужой вопрос про пайку" not in page
    auth.login(club.teacher_user)
    page = client.get("/communication/help").get_data(as_text=True)
    assert "Мой вопрос про моторы" in page and "Чужой вопрос про пайку" in page


def test_the_student_sees_the_teachers_channels_and_books_a_consultation(club, client, auth):
    auth.login(club.teacher_user)
    client.post(
        "/communication/help/profile",
        data={"phone": "+7 900 000-00-00", "hours": "вторник, 16:00–17:00"},
    )
    assert db.session.get(TeacherProfile, club.teacher.id).hours == "вторник, 16:00–17:00"
    logged = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "teacher_profile")
    ).one()
    assert logged.changes["phone"] == [None, "+7 900 000-00-00"]
    auth.login(club.student_user)
    page = client.get("/communication/help").get_data(as_text=True)
    assert "Кузнецова Елена Сергеевна" in page and "вторник, 16:00–17:00" in page
    assert "Зайцев" not in page  # not a teacher of the student's club
    refused = client.post(
        "/communication/help/requests",
        data={
            "student_id": club.child.id,
            "teacher_id": club.other_teacher.id,
            "topic": "Вопрос",
            "channel": "phone",
        },
    )
    assert refused.status_code == 422
    assert "Зайцев Олег Ильич не ведёт объединение «Робототехника»" in refused.get_data(
        as_text=True
    )
    assert db.session.query(ConsultationRequest).count() == 0
    client.post(
        "/communication/help/requests",
        data={
            "student_id": club.child.id,
            "teacher_id": club.teacher.id,
            "topic": "Разобрать код робота",
            "channel": "messenger",
        },
    )
    made = db.session.query(ConsultationRequest).one()
    auth.login(club.teacher_user)
    tomorrow = date.today() + timedelta(days=1)
    response = client.post(
        f"/communication/help/requests/{made.id}/schedule",
        data={
            "kind": "individual",
            "held_on": tomorrow.isoformat(),
            "at": "16:30",
            "channel": "messenger",
            "where": "VK",
        },
        follow_redirects=True,
    )
    assert "Консультация назначена" in response.get_data(as_text=True)
    auth.login(club.student_user)
    page = client.get(f"/communication/help/requests/{made.id}").get_data(as_text=True)
    assert f"Индивидуальная консультация {tomorrow:%d.%m.%Y} в 16:30" in page


def test_reminder_the_day_before_to_student_parent_and_teacher(club):
    made = domain.ask(
        club.student_user, club.child, club.teacher, "Консультация", ContactKind.PHONE, ""
    )
    held_on = date(2026, 12, 15)
    domain.schedule(
        club.teacher_user,
        made,
        kind=ConsultationKind.GROUP,
        held_on=held_on,
        at="17:00",
        channel=ContactKind.PHONE,
        where=None,
        today=date(2026, 12, 1),
    )
    db.session.commit()
    assert make_reminders(date(2026, 12, 13)) == 0
    assert make_reminders(date(2026, 12, 14)) == 3
    assert make_reminders(date(2026, 12, 14)) == 0
    db.session.commit()
    got = {
        n.user_id
        for n in db.session.query(Notification).filter_by(object_type="consultation_request")
    }
    assert got == {club.student_user.id, club.parent_user.id, club.teacher_user.id}
    text = db.session.query(Notification).filter_by(user_id=club.student_user.id).one().text
    assert text.startswith("Завтра, 15.12.2026 в 17:00, групповая консультация (телефон)")


def test_answer_only_by_the_addressed_teacher_and_deputies_see_the_waiting(
    club, client, auth, curator
):
    made = domain.ask(
        club.student_user, club.child, club.teacher, "Где взять схему", ContactKind.EMAIL, ""
    )
    made.created_at = made.created_at - timedelta(days=3)
    db.session.commit()
    with current_app.test_request_context():
        late = {i.title: i.count for i in work_queue(curator)}
        waiting = {i.title: i.count for i in work_queue(club.teacher_user)}
    assert late["Запросы консультаций без ответа больше 2 дней"] == 1
    assert waiting["Запросы консультаций ждут вашего ответа"] == 1
    auth.login(curator)
    page = client.get("/communication/help?status=waiting").get_data(as_text=True)
    assert "Где взять схему" in page
    assert (
        client.post(
            f"/communication/help/requests/{made.id}/answer", data={"answer": "x"}
        ).status_code
        == 403
    )
    auth.login(club.teacher_user)
    client.post(
        f"/communication/help/requests/{made.id}/answer", data={"answer": "Схема в библиотеке"}
    )
    db.session.expire_all()
    assert db.session.get(ConsultationRequest, made.id).status == RequestStatus.ANSWERED


def test_club_library_is_shown_to_the_clubs_students(club, client, auth):
    auth.login(club.teacher_user)
    client.post(
        "/communication/help/materials",
        data={
            "club": "Робототехника",
            "title": "Сборка шасси",
            "link": "https://example.org/shassi",
        },
    )
    auth.login(club.student_user)
    assert "Сборка шасси" in client.get("/communication/help").get_data(as_text=True)
    student3 = factories.make_user(login="j", roles=["mentee"])
    factories.make_person("Белов", "Ян", is_mentee=True, club="Юный журналист", user=student3)
    auth.login(student3)
    assert "Сборка шасси" not in client.get("/communication/help").get_data(as_text=True)
    assert db.session.query(Consultation).count() == 0
