"""Appointments of the curator and the working group; selection and training of mentors.

Roles follow the appointment records: appointing adds the role, ending the last current
appointment of a kind takes it away; the records stay as the history. «Обучение пройдено»
is derived from attendance of the required training events, never ticked here by hand.
"""

from datetime import date

from sqlalchemy import func, select

from portal import audit
from portal.access import Role
from portal.accounts.models import User
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.models import Person
from portal.programme.models import (
    Appointment,
    AppointmentKind,
    CandidateDecision,
    MentorCandidate,
    TrainingAttendance,
    TrainingEvent,
)
from portal.statuses import PersonCategory
from portal.timeutil import today_moscow

ROLE_OF = {AppointmentKind.CURATOR: Role.CURATOR, AppointmentKind.GROUP: Role.GROUP}


# --- appointments --------------------------------------------------------------------------------


def current_appointments() -> list[Appointment]:
    query = (
        select(Appointment)
        .where(Appointment.ends_on.is_(None))
        .order_by(Appointment.kind, Appointment.starts_on)
    )
    return list(db.session.scalars(query))


def history() -> list[Appointment]:
    query = select(Appointment).order_by(Appointment.starts_on.desc(), Appointment.id.desc())
    return list(db.session.scalars(query))


def appoint(
    kind: str,
    user_id: int | None,
    order_number: str,
    order_date: date | None,
    duties: str | None,
    starts_on: date | None = None,
) -> Appointment:
    """Record an order; a new curator's order ends the previous curator's appointment."""
    try:
        kind = AppointmentKind(kind)
    except ValueError:
        raise RuleViolation("Выберите, кто назначается: куратор или член рабочей группы.") from None
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        raise RuleViolation("Выберите сотрудника с действующей учётной записью.")
    if not (order_number or "").strip() or order_date is None:
        raise RuleViolation("Укажите номер и дату приказа.")
    starts_on = starts_on or order_date
    if db.session.scalar(
        select(Appointment.id).where(
            Appointment.kind == kind, Appointment.user_id == user.id, Appointment.ends_on.is_(None)
        )
    ):
        raise RuleViolation(f"{user.full_name} уже назначен(а): {kind.title.lower()}.")
    if kind == AppointmentKind.CURATOR:
        for previous in db.session.scalars(
            select(Appointment).where(Appointment.kind == kind, Appointment.ends_on.is_(None))
        ):
            end(previous, starts_on, f"приказ от {order_date:%d.%m.%Y} № {order_number.strip()}")
    appointment = Appointment(
        kind=kind,
        user_id=user.id,
        order_number=order_number.strip(),
        order_date=order_date,
        duties=(duties or "").strip() or None,
        starts_on=starts_on,
    )
    db.session.add(appointment)
    roles = set(user.roles) | {ROLE_OF[kind]}
    user.set_roles(roles)
    db.session.flush()
    audit.record(
        "appointment",
        "user",
        user.id,
        {"roles": [None, sorted(r.value for r in roles)]},
        f"{kind.title}: {user.full_name}, приказ от {order_date:%d.%m.%Y} № {order_number}",
    )
    return appointment


def end(appointment: Appointment, ends_on: date | None, end_order: str) -> None:
    """Close the appointment; the role goes when no current appointment of the kind is left."""
    if appointment.ends_on is not None:
        raise RuleViolation("Это назначение уже прекращено.")
    if ends_on is None or not (end_order or "").strip():
        raise RuleViolation("Укажите дату и приказ, которым прекращено назначение.")
    if ends_on < appointment.starts_on:
        raise RuleViolation("Назначение не может закончиться раньше, чем началось.")
    appointment.ends_on = ends_on
    appointment.end_order = end_order.strip()
    db.session.flush()
    still = db.session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.kind == appointment.kind,
            Appointment.user_id == appointment.user_id,
            Appointment.ends_on.is_(None),
        )
    )
    user = appointment.user
    if not still:
        user.set_roles(set(user.roles) - {ROLE_OF[appointment.kind]})
    audit.record(
        "appointment_ended",
        "user",
        user.id,
        summary=f"{appointment.kind.title}: назначение прекращено {ends_on:%d.%m.%Y} ({end_order})",
    )


# --- selection of mentors ------------------------------------------------------------------------

CANDIDATE_CATEGORIES = (
    PersonCategory.TEACHER,
    PersonCategory.SPECIALIST,
    PersonCategory.STUDENT,
    PersonCategory.GRADUATE,
    PersonCategory.EXPERT,
)


def apply(
    *,
    last_name: str,
    first_name: str,
    middle_name: str | None,
    category: str,
    workplace: str | None,
    email: str | None,
    phone: str | None,
    competencies: str,
    motivation: str,
    desired_mentees: str | None,
    applied_on: date | None = None,
) -> MentorCandidate:
    """A candidate's application: their record enters the registry as a candidate, not yet
    a mentor (the base of mentors lists them only once accepted)."""
    if not (last_name or "").strip() or not (first_name or "").strip():
        raise RuleViolation("Укажите фамилию и имя кандидата.")
    if category not in {c.value for c in CANDIDATE_CATEGORIES}:
        raise RuleViolation("Выберите категорию кандидата из списка.")
    if not (competencies or "").strip() or not (motivation or "").strip():
        raise RuleViolation("Опишите компетенции кандидата и его мотивацию.")
    person = Person(
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        middle_name=(middle_name or "").strip() or None,
        category=category,
        workplace=(workplace or "").strip() or None,
        email=(email or "").strip() or None,
        phone=(phone or "").strip() or None,
        achievements=competencies.strip(),
    )
    person.refresh_search_key()
    db.session.add(person)
    db.session.flush()
    candidate = MentorCandidate(
        person_id=person.id,
        applied_on=applied_on or today_moscow(),
        competencies=competencies.strip(),
        motivation=motivation.strip(),
        desired_mentees=(desired_mentees or "").strip() or None,
    )
    db.session.add(candidate)
    db.session.flush()
    audit.record(
        "mentor_application", "person", person.id, summary="Заявление кандидата в наставники"
    )
    return candidate


def record_interview(candidate: MentorCandidate, interview_on: date | None, note: str) -> None:
    _require_pending(candidate)
    if interview_on is None or not (note or "").strip():
        raise RuleViolation("Укажите дату собеседования и заметку о нём.")
    candidate.interview_on = interview_on
    candidate.interview_note = note.strip()


def _require_pending(candidate: MentorCandidate) -> None:
    if candidate.decision != CandidateDecision.PENDING:
        raise RuleViolation(f"По кандидату уже принято решение: {candidate.decision.title}.")


def decide(candidate: MentorCandidate, accepted: bool, reason: str | None, user) -> None:
    """Accepted candidates enter the base of mentors; a refusal needs its reason."""
    _require_pending(candidate)
    if not accepted and not (reason or "").strip():
        raise RuleViolation("Укажите причину отказа.")
    candidate.decision = CandidateDecision.ACCEPTED if accepted else CandidateDecision.DECLINED
    candidate.decision_reason = (reason or "").strip() or None
    candidate.decided_on = today_moscow()
    candidate.decided_by_id = user.id
    if accepted:
        candidate.person.is_mentor = True
        candidate.person.entered_on = candidate.person.entered_on or candidate.decided_on
    audit.record(
        "mentor_selection",
        "person",
        candidate.person_id,
        {"decision": [CandidateDecision.PENDING.value, candidate.decision.value]},
        f"Отбор наставников: {candidate.decision.title}",
    )


def candidates(decision: str | None = None) -> list[MentorCandidate]:
    query = select(MentorCandidate).order_by(MentorCandidate.applied_on.desc())
    if decision:
        query = query.where(MentorCandidate.decision == decision)
    return list(db.session.scalars(query))


# --- training of mentors -------------------------------------------------------------------------


def save_event(event: TrainingEvent | None, **values) -> TrainingEvent:
    if not (values.get("topic") or "").strip():
        raise RuleViolation("Укажите тему обучения.")
    if values.get("held_on") is None:
        raise RuleViolation("Укажите дату обучения.")
    hours = values.get("hours")
    if hours is None or not 1 <= hours <= 200:
        raise RuleViolation("Объём — от 1 до 200 часов.")
    if not (values.get("trainer") or "").strip() or not (values.get("place") or "").strip():
        raise RuleViolation("Укажите, кто проводит обучение и где (адрес или ссылка).")
    if event is None:
        event = TrainingEvent()
        db.session.add(event)
    for key in ("topic", "programme", "trainer", "place"):
        value = values.get(key)
        setattr(event, key, value.strip() if isinstance(value, str) and value.strip() else None)
    event.held_on, event.hours, event.required = (
        values["held_on"],
        hours,
        bool(values.get("required")),
    )
    db.session.flush()
    refresh_training_marks()
    return event


def may_attend(person: Person) -> bool:
    """Attendance is kept for mentors and for candidates still in selection or accepted."""
    if person.is_mentor:
        return True
    return bool(
        db.session.scalar(
            select(MentorCandidate.id).where(
                MentorCandidate.person_id == person.id,
                MentorCandidate.decision != CandidateDecision.DECLINED,
            )
        )
    )


def set_attendance(event: TrainingEvent, person_ids: list[int]) -> None:
    """Replace the event's attendance list; refuse anyone who is not a mentor or candidate."""
    people = list(db.session.scalars(select(Person).where(Person.id.in_(person_ids))))
    if len(people) != len(set(person_ids)):
        raise RuleViolation("Некоторых участников нет в базе.")
    outsiders = [p.short_name for p in people if not may_attend(p)]
    if outsiders:
        raise RuleViolation(
            "Посещаемость отмечают только наставникам и кандидатам в наставники: "
            + ", ".join(outsiders)
            + "."
        )
    if event.held_on > today_moscow() and people:
        raise RuleViolation("Обучение ещё не состоялось: посещаемость отмечают после него.")
    wanted = {p.id for p in people}
    for row in list(event.attendance):
        if row.person_id not in wanted:
            event.attendance.remove(row)
    have = {row.person_id for row in event.attendance}
    for person_id in wanted - have:
        event.attendance.append(TrainingAttendance(person_id=person_id))
    db.session.flush()
    refresh_training_marks()


def trainees() -> list[Person]:
    """Mentors and candidates in selection, for the attendance list."""
    pending = select(MentorCandidate.person_id).where(
        MentorCandidate.decision != CandidateDecision.DECLINED
    )
    query = (
        select(Person)
        .where(
            (Person.is_mentor.is_(True)) | Person.id.in_(pending), Person.anonymised_at.is_(None)
        )
        .order_by(Person.last_name, Person.first_name)
    )
    return list(db.session.scalars(query))


def refresh_training_marks(today: date | None = None) -> None:
    """Set «обучение пройдено» and its date from attendance, for everyone, in three queries.

    Done means: attended every required event held by today (at least one); the date is the
    last of them.
    """
    today = today or today_moscow()
    required = select(TrainingEvent.id).where(
        TrainingEvent.required.is_(True), TrainingEvent.held_on <= today
    )
    total = db.session.scalar(select(func.count()).select_from(required.subquery()))
    done: dict[int, date] = {}
    if total:
        rows = db.session.execute(
            select(TrainingAttendance.person_id, func.max(TrainingEvent.held_on))
            .join(TrainingEvent, TrainingEvent.id == TrainingAttendance.event_id)
            .where(TrainingEvent.id.in_(required))
            .group_by(TrainingAttendance.person_id)
            .having(func.count(TrainingAttendance.id) == total)
        )
        done = {person_id: last for person_id, last in rows}
    marked = select(Person).where(
        (Person.training_completed.is_(True)) | Person.id.in_(list(done) or [-1])
    )
    for person in db.session.scalars(marked):
        person.training_completed = person.id in done
        person.training_completed_on = done.get(person.id)


def certificate_rows(event: TrainingEvent, person: Person) -> TrainingAttendance:
    """The attendance a certificate states; none for someone who did not attend."""
    row = next((a for a in event.attendance if a.person_id == person.id), None)
    if row is None:
        raise RuleViolation(
            f"{person.short_name} не отмечен(а) на обучении «{event.topic}»: справку не выдать."
        )
    return row
