"""The life of a pair or group: every rule (capacity, consent, eligibility, one mentor per form)
is checked here, whichever screen calls; a refusal is a RuleViolation with a Russian message."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import func, select

from portal import audit
from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.models import (
    MentorshipForm,
    Pair,
    PairEvent,
    PairMember,
    Petition,
)
from portal.people.models import Person
from portal.people.rules import require_consent, require_publication_consent
from portal.relations import current_member_clause, open_pair_clause
from portal.signals import (
    draft_mentor_changed,
    member_left,
    pair_ended,
    pair_replaced,
    pair_started,
    petition_decided,
)
from portal.statuses import PairStatus, PetitionStatus
from portal.text import Case, short_name_in
from portal.timeutil import today_moscow, utcnow

# A quick assignment may be taken back for this long (a slip of the hand, not a decision).
UNDO_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class Assignment:
    pair: Pair
    member: PairMember
    created_pair: bool  # False: the mentee joined the mentor's existing group

    @property
    def remaining_capacity(self) -> int:
        return remaining_capacity(self.pair.mentor)


# --- Checks ---------------------------------------------------------------------------------------


def active_mentee_count(mentor: Person, *, ignore_member_id: int | None = None) -> int:
    query = (
        select(func.count(PairMember.id))
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(
            Pair.mentor_id == mentor.id,
            open_pair_clause(),
            current_member_clause(),
        )
    )
    if ignore_member_id is not None:
        query = query.where(PairMember.id != ignore_member_id)
    return db.session.scalar(query) or 0


def remaining_capacity(mentor: Person) -> int:
    return max(0, (mentor.capacity or 0) - active_mentee_count(mentor))


def current_mentor_pair(
    mentee: Person, form: MentorshipForm, *, ignore_member_id: int | None = None
) -> Pair | None:
    """The open pair of the form in which the mentee currently is, if any."""
    query = (
        select(Pair)
        .join(PairMember, PairMember.pair_id == Pair.id)
        .where(
            Pair.form_id == form.id,
            open_pair_clause(),
            PairMember.mentee_id == mentee.id,
            current_member_clause(),
        )
        .limit(1)
    )
    if ignore_member_id is not None:
        query = query.where(PairMember.id != ignore_member_id)
    return db.session.scalar(query)


def check_eligibility(form: MentorshipForm, mentor: Person, mentee: Person) -> None:
    """Who may be mentor and mentee in the form, and the higher level of «ученик – ученик»."""
    if mentor.id == mentee.id:
        raise RuleViolation("Наставник и наставляемый — один и тот же человек.")
    if not form.active:
        raise RuleViolation(f"Форма «{form.name}» отключена: новые пары в ней не формируются.")
    if mentor.category not in (form.mentor_categories or []):
        allowed = ", ".join(form.mentor_categories or []) or "не заданы"
        raise RuleViolation(
            f"{mentor.short_name} не может быть наставником в форме «{form.name}»: "
            f"категория «{mentor.category}» не подходит (допустимы: {allowed})."
        )
    if mentee.category not in (form.mentee_categories or []):
        allowed = ", ".join(form.mentee_categories or []) or "не заданы"
        raise RuleViolation(
            f"{mentee.short_name} не может быть наставляемым в форме «{form.name}»: "
            f"категория «{mentee.category}» не подходит (допустимы: {allowed})."
        )
    if form.min_mentee_age is not None and mentee.age is not None:
        if mentee.age < form.min_mentee_age:
            raise RuleViolation(
                f"В форме «{form.name}» участвуют наставляемые с {form.min_mentee_age} лет, "
                f"а {mentee.short_name} сейчас {mentee.age}."
            )
    if form.mentor_higher_level:
        if mentor.study_level is None or mentee.study_level is None:
            raise RuleViolation(
                f"В форме «{form.name}» наставник учится на более высокой ступени: укажите класс "
                f"(год обучения) и у наставника, и у наставляемого."
            )
        if mentor.study_level <= mentee.study_level:
            raise RuleViolation(
                f"В форме «{form.name}» наставник должен учиться на более высокой ступени: "
                f"у {mentor.short_name} {mentor.study_level} класс, "
                f"у {mentee.short_name} — {mentee.study_level}."
            )


def check_assignment(
    form: MentorshipForm, mentor: Person, mentee: Person, *, ignore_member_id: int | None = None
) -> None:
    """Every rule for putting the mentee with the mentor in the form; raises RuleViolation."""
    check_eligibility(form, mentor, mentee)
    require_consent(mentor, "сформировать пару")
    require_consent(mentee, "сформировать пару")
    existing = current_mentor_pair(mentee, form, ignore_member_id=ignore_member_id)
    if existing is not None:
        raise RuleViolation(
            f"У {mentee.short_name} уже есть наставник в форме «{form.name}»: "
            f"{existing.mentor.short_name} В одной форме у наставляемого один наставник; "
            f"чтобы сменить его, оформите ходатайство о замене."
        )
    _lock(mentor)
    used = active_mentee_count(mentor, ignore_member_id=ignore_member_id)
    if used >= (mentor.capacity or 0):
        raise RuleViolation(
            f"У наставника {mentor.short_name} нет свободных мест: "
            f"занято {used} из {mentor.capacity or 0}."
        )


def _lock(mentor: Person) -> None:
    """Serialise capacity checks per mentor across workers (no-op on SQLite, which locks the
    whole database for a write anyway)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(select(Person.id).where(Person.id == mentor.id).with_for_update())


def _require_open(pair: Pair) -> None:
    if not pair.is_open:
        raise RuleViolation(f"Пара уже {pair.status}: изменить её нельзя.")


# --- History ------------------------------------------------------------------------------------


def _login() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.login
    return None


def record_event(pair: Pair, kind: str, text: str, *, login: str | None = None) -> PairEvent:
    """Add a step to the pair's readable story (its card's event list)."""
    event = PairEvent(pair_id=pair.id, kind=kind, text=text, user_login=login or _login())
    db.session.add(event)
    return event


_event = record_event


def events(pair: Pair) -> list[PairEvent]:
    query = (
        select(PairEvent)
        .where(PairEvent.pair_id == pair.id)
        .order_by(PairEvent.at.desc(), PairEvent.id.desc())
    )
    return list(db.session.scalars(query))


def mark_needs_attention(person: Person, note: str) -> int:
    """Flag the person's open pairs (e.g. when a consent is revoked); returns how many."""
    query = (
        select(Pair)
        .where(open_pair_clause())
        .where(
            (Pair.mentor_id == person.id)
            | Pair.id.in_(
                select(PairMember.pair_id).where(
                    PairMember.mentee_id == person.id, PairMember.left_on.is_(None)
                )
            )
        )
    )
    count = 0
    for pair in db.session.scalars(query):
        pair.needs_attention = note[:300]
        _event(pair, "attention", f"Требует внимания: {note}")
        count += 1
    return count


# --- Forming pairs ------------------------------------------------------------------------------


def _open_pair_of_mentor(form: MentorshipForm, mentor: Person) -> Pair | None:
    query = (
        select(Pair)
        .where(
            Pair.form_id == form.id,
            Pair.mentor_id == mentor.id,
            open_pair_clause(),
        )
        .order_by(Pair.status.desc(), Pair.id.desc())  # «черновик» after «действует»
        .limit(1)
    )
    return db.session.scalar(query)


def assign(
    form: MentorshipForm,
    mentor: Person,
    mentee: Person,
    *,
    goal: str | None = None,
    on: date | None = None,
    source: str = "подбор",
) -> Assignment:
    """Form a pair (a draft) or add the mentee to the mentor's open group in the form."""
    check_assignment(form, mentor, mentee)
    on = on or today_moscow()
    pair = _open_pair_of_mentor(form, mentor)
    created = pair is None
    if created:
        pair = Pair(form=form, mentor=mentor, status=PairStatus.DRAFT, goal=goal)
        db.session.add(pair)
        db.session.flush()
    member = PairMember(pair=pair, mentee=mentee, joined_on=on)
    db.session.add(member)
    db.session.flush()
    if created:
        _event(
            pair,
            "created",
            f"Сформирована пара: {mentor.short_name} — {mentee.short_name} ({source}).",
        )
        audit.record(
            "pair_created",
            "pair",
            pair.id,
            {
                "mentor_id": [None, mentor.id],
                "mentee_id": [None, mentee.id],
                "form": [None, form.code],
                "status": [None, pair.status],
            },
            f"Пара {mentor.short_name} — {mentee.short_name}, {form.name} ({source})",
        )
    else:
        _event(pair, "member_added", f"В группу добавлен(а) {mentee.short_name} ({source}).")
        audit.record(
            "pair_member_added",
            "pair",
            pair.id,
            {"mentee_id": [None, mentee.id]},
            f"{mentee.short_name} добавлен(а) в группу {mentor.short_name} ({source})",
        )
    return Assignment(pair=pair, member=member, created_pair=created)


def add_member(pair: Pair, mentee: Person, *, on: date | None = None) -> PairMember:
    """Add a mentee to an open pair, which becomes a group."""
    _require_open(pair)
    check_assignment(pair.form, pair.mentor, mentee)
    member = PairMember(pair=pair, mentee=mentee, joined_on=on or today_moscow())
    db.session.add(member)
    db.session.flush()
    _event(pair, "member_added", f"В группу добавлен(а): {mentee.short_name}")
    audit.record(
        "pair_member_added",
        "pair",
        pair.id,
        {"mentee_id": [None, mentee.id]},
        f"{mentee.short_name} добавлен(а) в группу {pair.mentor.short_name}",
    )
    return member


def remove_member(pair: Pair, member: PairMember, reason: str, *, on: date | None = None) -> None:
    _require_open(pair)
    if member.pair_id != pair.id or member.left_on is not None:
        raise RuleViolation("Этот наставляемый уже не состоит в группе.")
    if len(pair.current_members) <= 1:
        raise RuleViolation(
            "Нельзя исключить единственного наставляемого: завершите или расторгните пару."
        )
    if not reason.strip():
        raise RuleViolation("Укажите причину исключения из группы.")
    member.left_on = on or today_moscow()
    member.leave_reason = reason.strip()
    _event(
        pair,
        "member_removed",
        f"{member.mentee.short_name} исключён(а) из группы. Причина: {member.leave_reason}",
    )
    audit.record(
        "pair_member_removed",
        "pair",
        pair.id,
        {"mentee_id": [member.mentee_id, None], "leave_reason": [None, reason.strip()]},
    )
    member_left.send(pair, member=member, reason=member.leave_reason)


def undo_assignment(member: PairMember) -> Person:
    """Take back a quick assignment made moments ago; returns the mentee, unmatched again."""
    pair = member.pair
    mentee = member.mentee
    if (
        member.left_on is not None
        or pair.status != PairStatus.DRAFT
        or utcnow() - member.created_at > UNDO_WINDOW
    ):
        raise RuleViolation(
            "Отменить можно только только что сделанное назначение в черновике пары. "
            "Чтобы исключить наставляемого, откройте карточку пары."
        )
    only_member = len(pair.members) == 1
    if only_member:
        audit.record(
            "pair_undone",
            "pair",
            pair.id,
            {"mentor_id": [pair.mentor_id, None], "mentee_id": [mentee.id, None]},
            f"Назначение отменено: {pair.mentor.short_name} — {mentee.short_name}",
        )
        db.session.delete(pair)
    else:
        pair.members.remove(member)
        _event(pair, "member_undone", f"Назначение {mentee.short_name} отменено.")
        audit.record(
            "pair_member_undone",
            "pair",
            pair.id,
            {"mentee_id": [mentee.id, None]},
            f"Назначение {mentee.short_name} в группу отменено",
        )
    db.session.flush()
    return mentee


# --- Status -------------------------------------------------------------------------------------


def _status_change(pair: Pair, new_status: str, text: str, **fields) -> None:
    before = {"status": pair.status, **{k: getattr(pair, k) for k in fields}}
    pair.status = new_status
    for key, value in fields.items():
        setattr(pair, key, value)
    after = {"status": pair.status, **fields}
    _event(pair, new_status, text)
    audit.record("pair_status", "pair", pair.id, audit.diff(before, after), text)


def activate(pair: Pair, *, on: date | None = None) -> None:
    """черновик → действует, once both sides' consents are valid."""
    if pair.status != PairStatus.DRAFT:
        raise RuleViolation(f"Запустить можно только черновик пары, а эта пара {pair.status}.")
    if not pair.current_members:
        raise RuleViolation("В паре нет наставляемых.")
    require_consent(pair.mentor, "запустить пару")
    for mentee in pair.mentees:
        require_consent(mentee, "запустить пару")
    started = pair.started_on or on or today_moscow()
    _status_change(
        pair,
        PairStatus.ACTIVE,
        f"Пара запущена с {started:%d.%m.%Y}.",
        started_on=started,
        needs_attention=None,
    )
    pair_started.send(pair, started_on=started)


def missing_to_start(pair: Pair) -> list[str]:
    """What a draft pair lacks on matching's side (consents); empty when it may start."""
    missing = []
    if not pair.current_members:
        missing.append("В паре нет наставляемых.")
    for person in [pair.mentor, *pair.mentees]:
        try:
            require_consent(person, "запустить пару")
        except RuleViolation as exc:
            missing.append(exc.message)
    return missing


def start_when_ready(pair: Pair) -> bool:
    """Start a draft pair whose agreements are signed, if its consents are in place (called
    when the last agreement is signed); otherwise the card says what is missing."""
    if pair.status != PairStatus.DRAFT or missing_to_start(pair):
        return False
    activate(pair)
    return True


def change_draft_mentor(pair: Pair, new_mentor: Person, reason: str = "") -> None:
    """Put another mentor in a draft pair, directly: before the pair works there is nothing
    to petition about (п. 6.2 is for working pairs). The pair's unsigned agreements name the
    old mentor; agreements cancels them on the signal."""
    if pair.status != PairStatus.DRAFT:
        raise RuleViolation(
            "Наставника действующей пары меняют по ходатайству наставляемого (п. 6.2 Положения)."
        )
    old = pair.mentor
    if new_mentor.id == old.id:
        raise RuleViolation(f"{old.short_name} уже наставник этой пары.")
    for member in pair.current_members:
        check_assignment(pair.form, new_mentor, member.mentee, ignore_member_id=member.id)
    pair.mentor = new_mentor
    db.session.flush()
    # The initials end the sentence: no second dot after them.
    note = f"Наставник заменён до начала работы: {old.short_name} → {new_mentor.short_name}"
    if reason.strip():
        note += f" Причина: {reason.strip()}"
    _event(pair, "mentor_changed", note)
    audit.record(
        "pair_mentor_changed", "pair", pair.id, {"mentor_id": [old.id, new_mentor.id]}, note
    )
    draft_mentor_changed.send(pair, old_mentor=old, new_mentor=new_mentor)


def complete(pair: Pair, results: str, *, on: date | None = None) -> None:
    if pair.status != PairStatus.ACTIVE:
        raise RuleViolation("Завершить можно только действующую пару.")
    if not results.strip():
        raise RuleViolation("Опишите результаты работы пары.")
    ended = on or today_moscow()
    _status_change(
        pair,
        PairStatus.COMPLETED,
        f"Пара завершена {ended:%d.%m.%Y}. Результаты: {results.strip()}",
        ended_on=ended,
        results=results.strip(),
    )
    pair_ended.send(pair, status=pair.status, ended_on=ended, reason=results.strip())


def terminate(pair: Pair, reason: str, *, on: date | None = None) -> None:
    _require_open(pair)
    if not reason.strip():
        raise RuleViolation("Укажите причину расторжения.")
    ended = on or today_moscow()
    _status_change(
        pair,
        PairStatus.TERMINATED,
        f"Пара расторгнута {ended:%d.%m.%Y}. Причина: {reason.strip()}",
        ended_on=ended,
        end_reason=reason.strip(),
    )
    pair_ended.send(pair, status=pair.status, ended_on=ended, reason=reason.strip())


def set_case_url(pair: Pair, url: str | None) -> None:
    """The link to a published case or review needs everyone's publication consent."""
    url = (url or "").strip() or None
    if url is not None:
        if not url.startswith(("http://", "https://")):
            raise RuleViolation("Ссылка на кейс должна начинаться с http:// или https://.")
        require_publication_consent(pair.mentor)
        for mentee in pair.mentees:
            require_publication_consent(mentee)
    before = pair.case_url
    pair.case_url = url
    _event(pair, "case_url", f"Ссылка на кейс: {url}" if url else "Ссылка на кейс удалена.")
    audit.record("pair_case_url", "pair", pair.id, {"case_url": [before, url]})


def clear_attention(pair: Pair) -> None:
    before = pair.needs_attention
    pair.needs_attention = None
    _event(pair, "attention_cleared", "Отметка «требует внимания» снята.")
    audit.record("pair_attention_cleared", "pair", pair.id, {"needs_attention": [before, None]})


# --- Petition to replace the mentor (п. 6.2) ----------------------------------------------------


def file_petition(
    pair: Pair,
    mentee: Person,
    reason: str,
    filed_on: date,
    filed_by=None,
    filed_as: str | None = None,
) -> Petition:
    """Record a petition (п. 6.2); ``filed_by`` is the user who filed it in the portal and
    ``filed_as`` how («наставляемый», «родитель (законный представитель)»)."""
    _require_open(pair)
    if mentee.id not in {m.mentee_id for m in pair.current_members}:
        raise RuleViolation(f"{mentee.short_name} не состоит в этой паре.")
    if not (reason or "").strip():
        raise RuleViolation("Укажите причину ходатайства.")
    if filed_on > today_moscow():
        raise RuleViolation("Дата ходатайства не может быть в будущем.")
    waiting = db.session.scalar(
        select(Petition.id).where(
            Petition.pair_id == pair.id,
            Petition.mentee_id == mentee.id,
            Petition.status == PetitionStatus.PENDING,
        )
    )
    if waiting is not None:
        raise RuleViolation("Ходатайство о замене наставника уже подано и ждёт решения куратора.")
    by_name = getattr(filed_by, "full_name", None)
    if by_name and filed_as:
        by_name = f"{by_name} ({filed_as})"
    petition = Petition(
        pair_id=pair.id,
        mentee=mentee,
        filed_on=filed_on,
        reason=reason.strip(),
        filed_by_user_id=getattr(filed_by, "id", None),
        filed_by_name=by_name,
    )
    db.session.add(petition)
    db.session.flush()
    _event(
        pair,
        "petition",
        f"Ходатайство о замене наставника от {filed_on:%d.%m.%Y} "
        f"(наставляемый {mentee.short_name}"
        + (f"; подал(а) {by_name}" if by_name else "")
        + f"). Причина: {petition.reason}",
    )
    audit.record(
        "petition_filed",
        "pair",
        pair.id,
        {"petition_id": [None, petition.id], "reason": [None, petition.reason]},
        f"Ходатайство о замене наставника от {filed_on:%d.%m.%Y}",
    )
    return petition


def _require_pending(petition: Petition) -> None:
    if petition.status != PetitionStatus.PENDING:
        raise RuleViolation(f"Ходатайство уже рассмотрено: {petition.status}.")


def replace_mentor(petition: Petition, new_mentor: Person, note: str = "") -> Pair:
    """Grant the petition: the mentee leaves the old pair (ended with the reason; a pair left
    empty is terminated), a new pair with the new mentor replaces it, the history stays."""
    _require_pending(petition)
    old = petition.pair
    member = next((m for m in old.current_members if m.mentee_id == petition.mentee_id), None)
    if member is None:
        raise RuleViolation("Наставляемый уже не состоит в этой паре.")
    if new_mentor.id == old.mentor_id:
        raise RuleViolation("Выберите другого наставника: этот и так ведёт пару.")
    mentee = petition.mentee
    check_assignment(old.form, new_mentor, mentee, ignore_member_id=member.id)
    today = today_moscow()
    why = f"замена наставника по ходатайству от {petition.filed_on:%d.%m.%Y}"
    member.left_on = today
    member.leave_reason = why
    if len(old.current_members) == 0:
        _status_change(
            old,
            PairStatus.TERMINATED,
            f"Пара расторгнута {today:%d.%m.%Y}: {why}.",
            ended_on=today,
            end_reason=why[:1].upper() + why[1:],
        )
        pair_ended.send(old, status=old.status, ended_on=today, reason=why)
    else:
        _event(
            old, "member_removed", f"{mentee.short_name} перешёл(ла) к другому наставнику: {why}."
        )
    new = Pair(
        form=old.form,
        mentor=new_mentor,
        status=PairStatus.DRAFT,
        goal=old.goal,
        replaces_id=old.id,
    )
    new.members.append(PairMember(mentee=mentee, joined_on=today))
    db.session.add(new)
    db.session.flush()
    _event(
        new,
        "created",
        f"Пара сформирована взамен пары № {old.id} ({old.mentor.short_name}): {why}.",
    )
    _event(
        old,
        "replaced",
        f"Наставник заменён (новый наставник — {new_mentor.short_name}): новая пара № {new.id}.",
    )
    petition.status = PetitionStatus.GRANTED
    petition.resolved_on = today
    petition.resolution = note.strip() or f"Назначен(а) наставник {new_mentor.short_name}"
    petition.new_pair_id = new.id
    audit.record(
        "mentor_replaced",
        "pair",
        old.id,
        {
            "mentor_id": [old.mentor_id, new_mentor.id],
            "new_pair_id": [None, new.id],
            "petition_id": [petition.id, petition.id],
        },
        f"Замена наставника {short_name_in(mentee, Case.DATIVE)}: "
        f"{old.mentor.short_name} → {new_mentor.short_name}",
    )
    member_left.send(old, member=member, reason=why)
    pair_replaced.send(old, new=new, petition=petition)
    petition_decided.send(petition, granted=True)
    return new


def reject_petition(petition: Petition, resolution: str) -> None:
    _require_pending(petition)
    if not resolution.strip():
        raise RuleViolation("Укажите, почему ходатайство отклонено.")
    petition.status = PetitionStatus.REJECTED
    petition.resolved_on = today_moscow()
    petition.resolution = resolution.strip()
    _event(petition.pair, "petition_rejected", f"Ходатайство отклонено: {petition.resolution}")
    audit.record(
        "petition_rejected",
        "pair",
        petition.pair_id,
        {
            "petition_id": [petition.id, petition.id],
            "status": [PetitionStatus.PENDING, PetitionStatus.REJECTED],
        },
    )
    petition_decided.send(petition, granted=False)
