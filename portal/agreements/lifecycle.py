"""The agreement's life: draft, issue (freeze), signed, in force, expired, terminated, extended."""

import calendar
import secrets
from datetime import date, timedelta

from sqlalchemy import and_, case, literal, select
from sqlalchemy.exc import IntegrityError

from portal import audit, signals
from portal.agreements import parties, render, templates, trail
from portal.agreements.models import (
    ACTIVE,
    DRAFT,
    EXPIRED,
    EXTENDED,
    KIND_AGREEMENT,
    KIND_EXTENSION,
    SIGNED,
    SIGNED_STATUSES,
    SIGNING,
    TERMINATED,
    Agreement,
    SignatureSlot,
)
from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.models import Pair
from portal.people.models import Person
from portal.people.rules import require_consent
from portal.settings.models import get_settings
from portal.timeutil import today_moscow, utcnow
from portal.writelock import begin_write

TERMINATION_KINDS = {
    "mutual": "по соглашению Сторон",
    "breach": "в одностороннем порядке за систематическое нарушение п. 2",
}
DEFAULT_MONTHS = 9
# Codes printed on paper: no 0/O, 1/I.
_VERIFY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_verify_code() -> str:
    raw = "".join(secrets.choice(_VERIFY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def lock(agreement_id: int) -> Agreement:
    """Load the agreement locked for this transaction: FOR UPDATE on PostgreSQL, the database
    write lock on SQLite (which ignores FOR UPDATE), so parallel requests queue here."""
    begin_write()
    agreement = db.session.scalar(
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .with_for_update(of=Agreement.__table__)
        .execution_options(populate_existing=True)
    )
    if agreement is None:
        raise RuleViolation("Соглашение не найдено.")
    return agreement


def add_months(start: date, months: int) -> date:
    """The last day of a term of whole months that starts on `start`."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day) - timedelta(days=1)


def _next_number(year: int, prefix: str = "Н") -> str:
    stem = f"{prefix}-{year}/"
    numbers = db.session.scalars(select(Agreement.number).where(Agreement.number.like(stem + "%")))
    used = [int(n[len(stem) :]) for n in numbers if n[len(stem) :].isdigit()]
    return f"{stem}{(max(used) + 1 if used else 1):03d}"


def _add_with_number(agreement: Agreement, year: int, prefix: str) -> None:
    # Two curators may number at once; the unique constraint decides and we try again.
    for _ in range(5):
        agreement.number = _next_number(year, prefix)
        try:
            with db.session.begin_nested():
                db.session.add(agreement)
                db.session.flush()
            return
        except IntegrityError:
            if (
                agreement.kind == KIND_AGREEMENT
                and open_agreement_for(agreement.pair_id, agreement.mentee_id) is not None
            ):
                raise RuleViolation(
                    "Соглашение с этим наставляемым уже создано (возможно, другим куратором "
                    "только что)."
                ) from None
            continue
    raise RuleViolation("Не удалось присвоить номер соглашению, повторите попытку.")


def open_agreement_for(pair_id: int, mentee_id: int) -> Agreement | None:
    return db.session.scalar(
        select(Agreement).where(
            Agreement.pair_id == pair_id,
            Agreement.mentee_id == mentee_id,
            Agreement.kind == KIND_AGREEMENT,
            Agreement.status != TERMINATED,
        )
    )


def all_signed(pair: Pair) -> bool:
    """Every current mentee of the pair has an agreement signed by everyone (not terminated)."""
    mentee_ids = {m.mentee_id for m in pair.current_members}
    if not mentee_ids:
        return False
    signed = set(
        db.session.scalars(
            select(Agreement.mentee_id).where(
                Agreement.pair_id == pair.id,
                Agreement.kind == KIND_AGREEMENT,
                Agreement.mentee_id.in_(mentee_ids),
                Agreement.status.in_([s for s in SIGNED_STATUSES if s != TERMINATED]),
            )
        )
    )
    return mentee_ids <= signed


def create_drafts(pair: Pair, user, on: date | None = None) -> list[Agreement]:
    """One draft per current mentee of the pair or group who has no agreement yet."""
    on = on or today_moscow()
    settings = get_settings()
    template = templates.current_template()
    created = []
    for mentee in pair.mentees:
        if open_agreement_for(pair.id, mentee.id) is not None:
            continue
        agreement = Agreement(
            kind=KIND_AGREEMENT,
            pair_id=pair.id,
            mentee_id=mentee.id,
            template_id=template.id,
            city=settings["city"],
            agreement_date=on,
            months=DEFAULT_MONTHS,
            tasks="\n".join(templates.DEFAULT_TASKS),
            status=DRAFT,
            created_by_id=getattr(user, "id", None),
        )
        _add_with_number(agreement, on.year, "Н")
        trail.append(agreement, "created", actor=user, data={"number": agreement.number})
        audit.record(
            "agreement_created",
            "agreement",
            agreement.id,
            summary=f"Черновик соглашения {agreement.number}",
            actor=user,
        )
        created.append(agreement)
    if not created:
        raise RuleViolation("У всех наставляемых этой пары или группы уже есть соглашения.")
    return created


def _require_draft(agreement: Agreement) -> None:
    if agreement.status != DRAFT or agreement.issued:
        raise RuleViolation(
            f"{agreement.title} уже выпущено на подписание: текст и условия изменить нельзя."
        )


def edit_draft(agreement: Agreement, values: dict, user) -> None:
    """Change the terms of a draft: city, date, tasks (п. 1.2), months, representatives."""
    _require_draft(agreement)
    fields = (
        "city",
        "agreement_date",
        "tasks",
        "months",
        "mentor_representative_id",
        "mentee_representative_id",
    )
    before = {f: getattr(agreement, f) for f in fields}
    for field in fields:
        if field in values:
            setattr(agreement, field, values[field])
    changes = audit.diff(before, {f: getattr(agreement, f) for f in fields})
    if changes:
        trail.append(agreement, "edited", actor=user, data={"fields": sorted(changes)})
        audit.record("agreement_edited", "agreement", agreement.id, changes, actor=user)


def task_lines(tasks: str) -> list[str]:
    return [line.strip(" -—–;.\t") for line in tasks.splitlines() if line.strip(" -—–;.\t")]


def extension_term(extension: Agreement) -> tuple[date, date]:
    """The term an extension adds: from the day after the original's end, whole months.

    The one computation behind both the signed text («до … включительно») and the register,
    so the two cannot disagree, whenever the extension is signed.
    """
    original = extension.parent
    base_end = original.extended_until or original.ends_on or extension.agreement_date
    start = base_end + timedelta(days=1)
    return start, add_months(start, extension.months)


def compose(agreement: Agreement, signers: list[parties.RequiredSigner]) -> str:
    """Fill the agreement's template version with its terms and parties."""
    settings = get_settings()
    pair = agreement.pair
    context = {
        "number": agreement.number,
        "city": agreement.city,
        "date_text": render.date_text(agreement.agreement_date),
        "mentor_party": parties.party_text("mentor", pair.mentor, signers),
        "mentee_party": parties.party_text("mentee", agreement.mentee, signers),
        "org_full_name": settings["org_full_name"],
        "org_short_name": settings["org_short_name"],
        "director_name": settings["director_name"],
        "org_address": settings["org_address"],
        "tasks": task_lines(agreement.tasks),
        "months": agreement.months,
        "months_word": render.months_word(agreement.months),
        "signers": [{"role_label": s.role_label, "name": s.person.full_name} for s in signers],
    }
    if agreement.is_extension:
        original = agreement.parent
        context.update(
            parent_number=original.number,
            parent_date=original.agreement_date.strftime("%d.%m.%Y"),
            extended_until=extension_term(agreement)[1].strftime("%d.%m.%Y"),
        )
        body = templates.EXTENSION_BODY
    else:
        body = agreement.template.body
    return render.canonical_text(templates.render_body(body, context))


def issue(agreement_id: int, user) -> Agreement:
    """Freeze the text and its hash and compute the required signatures."""
    agreement = lock(agreement_id)
    _require_draft(agreement)
    pair = agreement.pair
    if agreement.mentee_id not in {m.mentee_id for m in pair.current_members}:
        raise RuleViolation("Наставляемый больше не состоит в этой паре или группе.")
    if not task_lines(agreement.tasks):
        raise RuleViolation("Укажите хотя бы одну задачу в п. 1.2.")
    if not 1 <= agreement.months <= 60:
        raise RuleViolation("Срок действия — от 1 до 60 месяцев.")
    signers = parties.required_signers(
        pair.mentor,
        agreement.mentee,
        agreement.agreement_date,
        agreement.mentor_representative_id,
        agreement.mentee_representative_id,
    )
    for person in _parties_and_signers(pair.mentor, agreement.mentee, signers):
        require_consent(person, "выпустить соглашение")
    text = compose(agreement, signers)
    for position, s in enumerate(signers, start=1):
        agreement.slots.append(
            SignatureSlot(
                position=position,
                side=s.side,
                capacity=s.capacity,
                person_id=s.person.id,
                on_behalf_of_id=s.on_behalf_of.id,
                role_label=s.role_label,
            )
        )
        if s.capacity == "representative":
            attr = f"{s.side}_representative_id"
            setattr(agreement, attr, s.person.id)
    agreement.text = text
    agreement.text_hash = render.text_hash(text)
    agreement.verify_code = new_verify_code()
    agreement.issued_at = utcnow()
    agreement.issued_by_id = getattr(user, "id", None)
    agreement.status = SIGNING
    trail.append(
        agreement,
        "issued",
        actor=user,
        data={
            "text_hash": agreement.text_hash,
            "template_version": agreement.template.version,
            "signers": [f"{s.role_label}: {s.person.full_name}" for s in signers],
        },
    )
    audit.record(
        "agreement_issued",
        "agreement",
        agreement.id,
        summary=f"{agreement.title} выпущено на подписание",
        actor=user,
    )
    signals.agreement_issued.send(agreement)
    return agreement


def _parties_and_signers(mentor: Person, mentee: Person, signers) -> list[Person]:
    # The agreement processes the parties' data: their consents are required. A
    # representative acts for the child; the child's consent (signed by them) covers it.
    del signers
    return [mentor, mentee] if mentor.id != mentee.id else [mentor]


def effective_status(agreement: Agreement, today: date | None = None) -> str:
    """The status the dates give today; stored status changes only through refresh_status."""
    today = today or today_moscow()
    if agreement.status not in (SIGNED, ACTIVE, EXTENDED, EXPIRED) or agreement.starts_on is None:
        return agreement.status
    if today < agreement.starts_on:
        return SIGNED
    if today <= agreement.ends_on:
        return ACTIVE
    if agreement.extended_until and today <= agreement.extended_until:
        return EXTENDED
    return EXPIRED


def effective_status_sql(today: date | None = None):
    """effective_status() as an SQL expression, so list pages filter on it without writing."""
    today = literal(today or today_moscow())
    dated = and_(
        Agreement.status.in_((SIGNED, ACTIVE, EXTENDED, EXPIRED)),
        Agreement.starts_on.is_not(None),
    )
    return case(
        (~dated, Agreement.status),
        (today < Agreement.starts_on, SIGNED),
        (today <= Agreement.ends_on, ACTIVE),
        (
            and_(Agreement.extended_until.is_not(None), today <= Agreement.extended_until),
            EXTENDED,
        ),
        else_=EXPIRED,
    )


def refresh_status(agreement: Agreement, today: date | None = None) -> bool:
    """Bring the stored status in line with the dates; True if it changed (caller commits)."""
    status = effective_status(agreement, today)
    if status != agreement.status:
        agreement.status = status
        return True
    return False


def refresh_all(today: date | None = None) -> int:
    """Refresh statuses whose dates have passed (called by list views; no background jobs)."""
    today = today or today_moscow()
    query = select(Agreement).where(Agreement.status.in_((SIGNED, ACTIVE, EXTENDED)))
    changed = 0
    for agreement in db.session.scalars(query):
        changed += refresh_status(agreement, today)
    return changed


def terminate(agreement_id: int, kind: str, reason: str, user, on: date | None = None) -> Agreement:
    agreement = lock(agreement_id)
    if kind not in TERMINATION_KINDS:
        raise RuleViolation("Выберите основание расторжения.")
    reason = (reason or "").strip()
    if kind == "breach" and len(reason) < 10:
        raise RuleViolation("Для расторжения в одностороннем порядке опишите нарушение п. 2.")
    if agreement.status == TERMINATED:
        raise RuleViolation(f"{agreement.title} уже расторгнуто.")
    if agreement.status == DRAFT:
        raise RuleViolation("Черновик не подписан: его не расторгают, а удаляют или выпускают.")
    if effective_status(agreement) == EXPIRED:
        raise RuleViolation(f"Срок действия {agreement.title} уже истёк.")
    agreement.status = TERMINATED
    agreement.terminated_on = on or today_moscow()
    agreement.termination_kind = kind
    agreement.termination_reason = reason or None
    agreement.to_terminate = None
    trail.append(
        agreement,
        "terminated",
        actor=user,
        data={"kind": TERMINATION_KINDS[kind], "reason": reason},
    )
    audit.record(
        "agreement_terminated",
        "agreement",
        agreement.id,
        summary=f"{agreement.title} расторгнуто {TERMINATION_KINDS[kind]}",
        actor=user,
    )
    return agreement


def start_extension(agreement_id: int, months: int, user, on: date | None = None) -> Agreement:
    """Draft a «Дополнительное соглашение о продлении», signed the same way as the original."""
    original = lock(agreement_id)
    if original.is_extension:
        raise RuleViolation("Продлевается основное соглашение, а не дополнительное.")
    if effective_status(original) not in (SIGNED, ACTIVE, EXTENDED, EXPIRED):
        raise RuleViolation("Продлить можно только подписанное и не расторгнутое соглашение.")
    pending = db.session.scalar(
        select(Agreement).where(
            Agreement.parent_id == original.id, Agreement.status.in_((DRAFT, SIGNING))
        )
    )
    if pending is not None:
        raise RuleViolation(f"Уже готовится {pending.title}.")
    if not 1 <= months <= 36:
        raise RuleViolation("Срок продления — от 1 до 36 месяцев.")
    on = on or today_moscow()
    extension = Agreement(
        kind=KIND_EXTENSION,
        parent_id=original.id,
        pair_id=original.pair_id,
        mentee_id=original.mentee_id,
        template_id=original.template_id,
        city=original.city,
        agreement_date=on,
        months=months,
        tasks=original.tasks,
        status=DRAFT,
        mentor_representative_id=original.mentor_representative_id,
        mentee_representative_id=original.mentee_representative_id,
        created_by_id=getattr(user, "id", None),
    )
    _add_with_number(extension, on.year, "ДС")
    trail.append(extension, "created", actor=user, data={"extends": original.number})
    return extension


def complete_extension(extension: Agreement, user) -> None:
    """Once an extension is signed, the original runs until the extension's end."""
    original = lock(extension.parent_id)
    end = extension.ends_on
    original.extended_until = max(filter(None, (original.extended_until, end)))
    refresh_status(original)
    trail.append(
        original,
        "extended",
        actor=user,
        data={
            "extension": extension.number,
            "until": original.extended_until.isoformat(),
        },
    )


def delete_draft(agreement_id: int, user) -> None:
    agreement = lock(agreement_id)
    _require_draft(agreement)
    audit.record(
        "agreement_deleted",
        "agreement",
        agreement.id,
        summary=f"Удалён черновик {agreement.number}",
        actor=user,
    )
    # A draft's trail holds only drafting events; it goes with the draft.
    from portal.agreements.models import AgreementEvent

    db.session.execute(
        AgreementEvent.__table__.delete().where(AgreementEvent.agreement_id == agreement.id)
    )
    db.session.delete(agreement)
