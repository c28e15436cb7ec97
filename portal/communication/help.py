"""Remote methodical help (002_…): who teaches whose club, who sees which request, the rules of
asking, answering and scheduling, and the reminder the day before a consultation."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, false, or_, select, true

from portal import audit
from portal.access import MANAGERS, Role
from portal.communication.models import (
    Consultation,
    ConsultationRequest,
    MethodMaterial,
    TeacherProfile,
)
from portal.communication.statuses import ConsultationKind, ContactKind, RequestStatus
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.models import Person
from portal.relations import relations_of
from portal.statuses import PersonCategory
from portal.timeutil import utcnow

OVERSEERS = (*MANAGERS, Role.GROUP)  # the deputies responsible for the help (п. 2.4) and staff
LATE_DAYS = 2  # a request unanswered this long is shown to the deputies as late


def oversees(user) -> bool:
    return user.has_any_role(OVERSEERS)


def teacher_person(user) -> Person | None:
    """The user's person when it is a teacher with a club (they run the club's help)."""
    person = user.person if user.person_id else None
    if person is not None and person.category == PersonCategory.TEACHER and person.club:
        return person
    return None


def students_of(user) -> list[Person]:
    """The students the user asks for: themselves (a student) and the children they represent."""
    rel = relations_of(user)
    ids = set(rel.child_ids)
    if rel.person_id is not None and Role.MENTEE in rel.roles:
        ids.add(rel.person_id)
    if not ids:
        return []
    query = select(Person).where(
        Person.id.in_(ids), Person.category == PersonCategory.STUDENT, Person.club.is_not(None)
    )
    return list(db.session.scalars(query.order_by(Person.last_name)))


def teachers_of_club(clubs) -> list[Person]:
    clubs = [c for c in set(clubs) if c]
    if not clubs:
        return []
    query = (
        select(Person)
        .where(
            Person.category == PersonCategory.TEACHER,
            Person.club.in_(clubs),
            Person.anonymised_at.is_(None),
        )
        .order_by(Person.club, Person.last_name)
    )
    return list(db.session.scalars(query))


def profiles(teacher_ids) -> dict[int, TeacherProfile]:
    ids = list(teacher_ids)
    if not ids:
        return {}
    rows = db.session.scalars(select(TeacherProfile).where(TeacherProfile.person_id.in_(ids)))
    return {p.person_id: p for p in rows}


def visible_requests_clause(user) -> ColumnElement[bool]:
    """The requests a user may see: the deputies all, a teacher those to them, a student and a
    parent only their own (the students they ask for)."""
    if oversees(user):
        return true()
    conditions = []
    teacher = teacher_person(user)
    if teacher is not None:
        conditions.append(ConsultationRequest.teacher_id == teacher.id)
    own = [s.id for s in students_of(user)]
    if own:
        conditions.append(ConsultationRequest.student_id.in_(own))
    return or_(*conditions) if conditions else false()


def can_see_request(user, request: ConsultationRequest) -> bool:
    if oversees(user):
        return True
    teacher = teacher_person(user)
    if teacher is not None and request.teacher_id == teacher.id:
        return True
    return request.student_id in {s.id for s in students_of(user)}


def ask(user, student: Person, teacher: Person, topic: str, channel: ContactKind, preferred_time):
    """A request only for a student the user asks for, to a teacher of that student's club."""
    if student.id not in {s.id for s in students_of(user)}:
        raise RuleViolation("Запрос можно отправить только за себя или за своего ребёнка.")
    if (
        teacher.category != PersonCategory.TEACHER
        or not teacher.club
        or teacher.club != student.club
    ):
        raise RuleViolation(
            f"{teacher.full_name} не ведёт объединение «{student.club}»: выберите педагога "
            "своего объединения."
        )
    request = ConsultationRequest(
        student_id=student.id,
        teacher_id=teacher.id,
        asked_by_id=user.id,
        topic=topic.strip(),
        channel=channel,
        preferred_time=(preferred_time or "").strip() or None,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "create", "consultation_request", request.id, summary=request.topic[:200], actor=user
    )
    return request


def _check_teacher(user, request: ConsultationRequest) -> None:
    teacher = teacher_person(user)
    if teacher is None or teacher.id != request.teacher_id:
        raise RuleViolation("Ответить может только педагог, которому адресован запрос.")


def answer(user, request: ConsultationRequest, text: str) -> None:
    _check_teacher(user, request)
    request.answer = text.strip()
    request.answered_at = utcnow()
    if request.status == RequestStatus.WAITING:
        request.status = RequestStatus.ANSWERED
    audit.record("answer", "consultation_request", request.id, actor=user)


def schedule(
    user,
    request: ConsultationRequest,
    *,
    kind: ConsultationKind,
    held_on: date,
    at: str,
    channel: ContactKind,
    where: str | None,
    today: date,
    others=(),
) -> Consultation:
    """Schedule a consultation for the request (and, for a group one, other waiting requests of
    the same teacher)."""
    _check_teacher(user, request)
    if held_on < today:
        raise RuleViolation("Консультацию нельзя назначить на прошедшую дату.")
    consultation = Consultation(
        teacher_id=request.teacher_id,
        kind=kind,
        held_on=held_on,
        at=at,
        channel=channel,
        where=(where or "").strip() or None,
    )
    db.session.add(consultation)
    joined = [request]
    if kind == ConsultationKind.GROUP:
        joined += [r for r in others if r.teacher_id == request.teacher_id and r.id != request.id]
    for r in joined:
        r.consultation = consultation
        r.status = RequestStatus.SCHEDULED
        r.answered_at = r.answered_at or utcnow()
    db.session.flush()
    audit.record("schedule", "consultation", consultation.id, summary=f"{held_on} {at}", actor=user)
    return consultation


def materials_for(clubs) -> list[MethodMaterial]:
    clubs = [c for c in set(clubs) if c]
    if not clubs:
        return []
    query = select(MethodMaterial).where(MethodMaterial.club.in_(clubs))
    return list(db.session.scalars(query.order_by(MethodMaterial.club, MethodMaterial.title)))


@dataclass(frozen=True)
class Reminder:
    """What the notifications area turns into a notification (its `_from_area` shape)."""

    user: object
    text: str
    object_type: str
    obj: object
    endpoint: str
    key: str
    url_args: dict


def reminders(on: date) -> list[Reminder]:
    """The day before a consultation: its students, their parents and the teacher (п. 3.2:
    reminders of scheduled sessions). Keys keep a second run from repeating them."""
    from portal.notifications.core import representatives_of, users_of

    tomorrow = on + timedelta(days=1)
    requests = db.session.scalars(
        select(ConsultationRequest)
        .join(Consultation, Consultation.id == ConsultationRequest.consultation_id)
        .where(Consultation.held_on == tomorrow)
    )
    found = []
    for request in requests:
        c = request.consultation
        people = {request.student_id, request.teacher_id, *representatives_of([request.student_id])}
        text = (
            f"Завтра, {c.held_on:%d.%m.%Y} в {c.at}, {c.kind.title.lower()} консультация "
            f"({c.channel.title.lower()}): {request.topic[:120]}"
        )
        for user in users_of(people):
            found.append(
                Reminder(
                    user,
                    text,
                    "consultation_request",
                    request,
                    "communication.help_request",
                    f"consultation:{c.id}:{request.id}:{c.held_on.isoformat()}",
                    {"request_id": request.id},
                )
            )
    return found
