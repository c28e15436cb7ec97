"""The base of best practices and the contests the centre enters them in."""

from datetime import date

from sqlalchemy import Select, and_, exists, select

from portal import audit
from portal.communication.consent import lacking_publication_consent
from portal.communication.models import (
    Contest,
    ContestEntry,
    EntryFile,
    Nomination,
    Practice,
    PracticeFormat,
    practice_people,
)
from portal.communication.plan import PlanErrors
from portal.communication.statuses import EntryStatus
from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.forms_seed import (
    FORMATS_STUDENT_STUDENT,
    FORMATS_TEACHER_STUDENT,
    FORMATS_TEACHER_TEACHER,
)
from portal.matching.models import Pair
from portal.plans.models import Plan, PlanItem
from portal.relations import PUBLICATION, valid_consent_clause
from portal.statuses import PairStatus
from portal.text import fold

# Every format of the table of Приложение № 4, once, in a stable order.
ALL_FORMATS = tuple(
    dict.fromkeys((*FORMATS_TEACHER_STUDENT, *FORMATS_STUDENT_STUDENT, *FORMATS_TEACHER_TEACHER))
)
PRACTICE_FIELDS = (
    "title",
    "form_id",
    "year",
    "problem",
    "actions",
    "results",
    "materials",
    "authors",
    "pair_id",
    "public",
)
MAX_FILE_BYTES = 10 * 1024 * 1024
_FILE_TYPES = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),  # also .docx, .xlsx, .pptx
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def draft_from_pair(pair: Pair) -> tuple[dict, list]:
    """A practice prefilled from a finished pair or group: its form, people, plan and results."""
    if pair.status != PairStatus.COMPLETED:
        raise RuleViolation("Практику можно собрать только из завершённой пары или группы.")
    plan = db.session.scalar(select(Plan).where(Plan.pair_id == pair.id))
    done, formats = [], []
    if plan is not None:
        items = db.session.scalars(
            select(PlanItem)
            .where(PlanItem.plan_id == plan.id, PlanItem.deleted_at.is_(None))
            .order_by(PlanItem.position, PlanItem.id)
        )
        for item in items:
            if item.completed:
                done.append(f"— {item.title}" + (f": {item.result}" if item.result else ""))
            if item.format and item.format in ALL_FORMATS:
                formats.append(item.format)
    people = [pair.mentor, *pair.mentees]
    values = {
        "title": f"{pair.form.name}: {pair.mentor.short_name} и "
        + ", ".join(m.short_name for m in pair.mentees),
        "form_id": pair.form_id,
        "year": (pair.ended_on or pair.started_on or date.today()).year,
        "problem": pair.goal or (plan.goal if plan else None),
        "actions": "\n".join(done) or None,
        "results": pair.results,
        "authors": ", ".join(p.full_name for p in people),
        "pair_id": pair.id,
        "formats": list(dict.fromkeys(formats)),
    }
    return values, people


def save_practice(
    practice: Practice | None, values: dict, formats, people, *, actor=None
) -> Practice:
    """Create or update a practice; «public» is refused while a named person lacks consent."""
    if values.get("public"):
        lacking = lacking_publication_consent(people, None)
        if lacking:
            raise PlanErrors(
                {
                    "public": "Открыть практику можно только с согласием на публикацию всех, "
                    "кого она называет. Нет согласия: "
                    + ", ".join(p.full_name for p in lacking)
                    + "."
                }
            )
    unknown = [f for f in formats if f not in ALL_FORMATS]
    if unknown:
        raise PlanErrors({"formats": "Неизвестный формат: " + ", ".join(unknown)})
    creating = practice is None
    if creating:
        practice = Practice()
        db.session.add(practice)
    before = {f: getattr(practice, f) for f in PRACTICE_FIELDS}
    for name in PRACTICE_FIELDS:
        setattr(practice, name, values.get(name))
    practice.public = bool(values.get("public"))
    practice.formats = [PracticeFormat(name=f) for f in dict.fromkeys(formats)]
    practice.people = list(people)
    practice.search_key = fold(
        " ".join(
            str(values.get(f) or "") for f in ("title", "problem", "actions", "results", "authors")
        )
    )
    db.session.flush()
    audit.record(
        "create" if creating else "update",
        "practice",
        practice.id,
        audit.diff(before, {f: getattr(practice, f) for f in PRACTICE_FIELDS}),
        summary=practice.title,
        actor=actor,
    )
    return practice


def public_clause():
    """A practice open beyond the staff: wanted public and no named person without consent."""
    lacking = exists().where(
        practice_people.c.practice_id == Practice.id,
        ~valid_consent_clause(practice_people.c.person_id, PUBLICATION),
    )
    return and_(Practice.public.is_(True), ~lacking)


def is_public(practice: Practice) -> bool:
    return practice.public and not lacking_publication_consent(practice.people, None)


def search_query(
    *,
    text: str = "",
    form_id: int | None = None,
    fmt: str | None = None,
    year: int | None = None,
    staff: bool,
) -> Select:
    """Practices matching the search and filters; beyond the staff only the public ones."""
    query = select(Practice).order_by(Practice.year.desc(), Practice.id.desc())
    if not staff:
        query = query.where(public_clause())
    for word in fold(text).split():
        query = query.where(Practice.search_key.contains(word, autoescape=True))
    if form_id:
        query = query.where(Practice.form_id == form_id)
    if fmt:
        query = query.where(
            exists().where(PracticeFormat.practice_id == Practice.id, PracticeFormat.name == fmt)
        )
    if year:
        query = query.where(Practice.year == year)
    return query


def years() -> list[int]:
    return list(db.session.scalars(select(Practice.year).distinct().order_by(Practice.year.desc())))


# --- contests ------------------------------------------------------------------------------


def create_contest(values: dict, nominations: list[str], *, actor=None) -> Contest:
    names = [n.strip() for n in nominations if n.strip()]
    if not names:
        raise PlanErrors({"nominations": "Укажите хотя бы одну номинацию, по одной в строке."})
    if values.get("results_by") and values["results_by"] < values["applications_until"]:
        raise PlanErrors({"results_by": "Итоги не могут быть раньше окончания приёма заявок."})
    contest = Contest(**values)
    contest.nominations = [Nomination(name=n, position=i) for i, n in enumerate(names)]
    db.session.add(contest)
    db.session.flush()
    audit.record("create", "contest", contest.id, summary=contest.title, actor=actor)
    return contest


def _check_open(contest: Contest, today: date) -> None:
    if today > contest.applications_until:
        raise RuleViolation(
            f"Приём заявок на конкурс закрыт {contest.applications_until:%d.%m.%Y}: "
            "заявку после срока подать нельзя."
        )


def file_type(filename: str, data: bytes) -> str:
    if not data:
        raise RuleViolation(f"Файл «{filename}» пустой.")
    if len(data) > MAX_FILE_BYTES:
        raise RuleViolation(f"Файл «{filename}» больше 10 МБ.")
    for magic, mimetype in _FILE_TYPES:
        if data.startswith(magic):
            return mimetype
    raise RuleViolation(
        f"Файл «{filename}»: нужен PDF, документ Office (DOCX, PPTX), JPEG или PNG."
    )


def enter(
    contest: Contest, practice: Practice, nomination_id: int, files, today: date, *, actor=None
) -> ContestEntry:
    """Enter a practice in a nomination with its package; refused after the deadline."""
    _check_open(contest, today)
    nomination = next((n for n in contest.nominations if n.id == nomination_id), None)
    if nomination is None:
        raise RuleViolation("Выберите номинацию этого конкурса.")
    duplicate = db.session.scalar(
        select(ContestEntry.id).where(
            ContestEntry.contest_id == contest.id,
            ContestEntry.practice_id == practice.id,
            ContestEntry.nomination_id == nomination.id,
        )
    )
    if duplicate:
        raise RuleViolation("Эта практика уже заявлена в этой номинации.")
    stored = [
        EntryFile(filename=name[:200], mimetype=file_type(name, data), size=len(data), data=data)
        for name, data in files
    ]
    entry = ContestEntry(contest=contest, practice=practice, nomination=nomination, files=stored)
    db.session.add(entry)
    db.session.flush()
    audit.record("create", "contest_entry", entry.id, summary=practice.title, actor=actor)
    return entry


def submit(entry: ContestEntry, today: date, *, actor=None) -> None:
    _check_open(entry.contest, today)
    if entry.status != EntryStatus.DRAFT:
        raise RuleViolation("Заявка уже подана или отозвана.")
    if not entry.files:
        raise RuleViolation("Приложите пакет документов заявки, прежде чем подавать её.")
    entry.status = EntryStatus.SUBMITTED
    entry.submitted_on = today
    audit.record("submit", "contest_entry", entry.id, actor=actor)


def record_result(entry: ContestEntry, result: str, *, actor=None) -> None:
    if entry.status != EntryStatus.SUBMITTED:
        raise RuleViolation("Результат вносится для поданной заявки.")
    entry.result = result.strip() or None
    audit.record("result", "contest_entry", entry.id, summary=entry.result, actor=actor)


def finished_pairs() -> list[Pair]:
    return list(
        db.session.scalars(
            select(Pair).where(Pair.status == PairStatus.COMPLETED).order_by(Pair.ended_on.desc())
        )
    )
