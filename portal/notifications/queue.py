"""The start page as a work queue: what each role should do now, counted in SQL, with a link.

Each area answers for its own work with a provider `work_items(user) -> list[WorkItem]`; the
queue concatenates the providers listed in PROVIDERS. A provider asks one SQL query whatever
the size of the bases (every measure is one branch of a UNION ALL), so the start page costs
the same number of queries for 100 people or 10,000. An item whose count is zero is not shown:
doing the work makes it disappear.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import Date, Select, and_, case, cast, distinct, exists, func, literal, null, or_
from sqlalchemy import select as sql_select
from sqlalchemy.sql import union_all

from portal.access import Role
from portal.agreements.models import KIND_AGREEMENT, Agreement, Signature, SignatureSlot
from portal.communication.work import work_items as communication_items
from portal.domain import WorkItem
from portal.extensions import db
from portal.matching.models import Pair, PairMember, Petition
from portal.monitoring.queue import work_items as monitoring_items
from portal.people.models import Consent, Person
from portal.plans.models import Meeting, Plan, PlanItem, meeting_items
from portal.programme import work as programme_work
from portal.relations import (
    PROCESSING,
    children_clause,
    consent_state_clause,
    current_member_clause,
    open_pair_clause,
)
from portal.statuses import (
    AgreementStatus,
    ConsentState,
    PairStatus,
    PetitionStatus,
    PlanItemStatus,
    PlanStatus,
)
from portal.timeutil import today_moscow

# Tones, most urgent first: the queue is sorted by them, then by the nearest due date.
TONES = ("danger", "warning", "info")
# 152-ФЗ ст. 21 ч. 5: after the consent is revoked the data is destroyed within 30 days.
DESTRUCTION_DAYS = 30
QUIET_PAIR_DAYS = 30  # a working pair with no meeting this long needs the curator's call
SOON_DAYS = 7  # "this week" for plan activities
NEXT_DAYS = 14  # how far a mentee or parent looks ahead in the plan


@dataclass(frozen=True)
class Tally:
    """What one measure found: how many rows, over how many objects, the first object and the
    earliest date."""

    count: int
    refs: int
    ref: int | None
    due: date | None


def _measure(name: str, query: Select):
    """One UNION ALL branch: a query of (ref, due) rows folded to name, count, refs, ref, due."""
    sub = query.subquery()
    return sql_select(
        literal(name).label("name"),
        func.count().label("n"),
        func.count(distinct(sub.c.ref)).label("refs"),
        func.min(sub.c.ref).label("ref"),
        func.min(sub.c.due).label("due"),
    ).select_from(sub)


def tally(measures: dict[str, Select]) -> dict[str, Tally]:
    """Run every measure in one query. Each query selects `ref` (an id) and `due` (a date)."""
    if not measures:
        return {}
    rows = db.session.execute(union_all(*(_measure(n, q) for n, q in measures.items())))
    found = {}
    for row in rows:
        due = row.due
        if isinstance(due, str):  # SQLite hands an aggregate over a UNION back as text
            due = date.fromisoformat(due[:10])
        elif isinstance(due, datetime):
            due = due.date()
        found[row.name] = Tally(int(row.n), int(row.refs), row.ref, due)
    return found


def _no_due():
    return cast(null(), Date).label("due")


def _link(t: Tally, one: tuple[str, dict], many: tuple[str, dict]) -> str:
    """Straight to the object when the work concerns one; to the filtered list otherwise."""
    endpoint, args = one if t.refs == 1 else many
    return url_for(endpoint, **args)


def _tone_by_due(due: date | None, today: date, default: str = "warning") -> str:
    return "danger" if due is not None and due < today else default


# --- measures shared by several roles ------------------------------------------------------------


def _item_date():
    return func.coalesce(PlanItem.end_on, PlanItem.start_on)


def _planned_items(pair_condition) -> Select:
    """Live, still planned activities of the open pairs the condition picks."""
    return (
        sql_select(PlanItem.plan_id.label("ref"), _item_date().label("due"))
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Pair, Pair.id == Plan.pair_id)
        .where(
            open_pair_clause(),
            pair_condition,
            PlanItem.deleted_at.is_(None),
            PlanItem.status == PlanItemStatus.PLANNED,
            PlanItem.completed.is_(False),
        )
    )


def _slots_to_sign(person_id: int) -> Select:
    """Signatures this person still owes on issued agreements."""
    signed = exists().where(Signature.slot_id == SignatureSlot.id)
    return (
        sql_select(SignatureSlot.agreement_id.label("ref"), _no_due())
        .join(Agreement, Agreement.id == SignatureSlot.agreement_id)
        .where(
            SignatureSlot.person_id == person_id,
            Agreement.status == AgreementStatus.SIGNING,
            ~signed,
        )
    )


# --- the curator ---------------------------------------------------------------------------------


def _people_consents():
    """Each person of the bases once, with the state of their consent: the four consent
    measures read this one scan (a CTE SQLite and PostgreSQL evaluate once)."""
    missing = consent_state_clause(ConsentState.MISSING)
    revoked = consent_state_clause(ConsentState.REVOKED)
    last_revoked = (
        sql_select(func.max(Consent.revoked_on))
        .where(Consent.person_id == Person.id, Consent.kind == PROCESSING)
        .scalar_subquery()
    )
    return (
        sql_select(
            Person.id.label("id"),
            Person.is_mentee.label("is_mentee"),
            Person.is_mentor.label("is_mentor"),
            missing.label("missing"),
            revoked.label("revoked"),
            # Only a revoked consent has a destruction deadline; CASE skips the others' lookup.
            case((revoked, last_revoked)).label("revoked_on"),
        )
        .where(Person.anonymised_at.is_(None), or_(Person.is_mentee, Person.is_mentor))
        .cte("people_consents")
    )


def _people_without_consent(people, base) -> Select:
    return sql_select(people.c.id.label("ref"), _no_due()).where(
        people.c[base].is_(True), people.c.missing.is_(True)
    )


def _people_revoked(people, base) -> Select:
    return sql_select(people.c.id.label("ref"), people.c.revoked_on.label("due")).where(
        people.c[base].is_(True), people.c.revoked.is_(True)
    )


def _pairs_without_agreement() -> Select:
    """Open pairs with a current mentee for whom no agreement has been issued."""
    issued = exists().where(
        Agreement.pair_id == PairMember.pair_id,
        Agreement.mentee_id == PairMember.mentee_id,
        Agreement.kind == KIND_AGREEMENT,
        Agreement.status.not_in((AgreementStatus.DRAFT, AgreementStatus.TERMINATED)),
    )
    lacking = exists().where(PairMember.pair_id == Pair.id, current_member_clause(), ~issued)
    return sql_select(Pair.id.label("ref"), _no_due()).where(open_pair_clause(), lacking)


def _plans_to_approve() -> Select:
    live = exists().where(PlanItem.plan_id == Plan.id, PlanItem.deleted_at.is_(None))
    proposals = exists().where(
        PlanItem.plan_id == Plan.id,
        PlanItem.deleted_at.is_(None),
        PlanItem.proposed_by_mentee.is_(True),
    )
    return (
        sql_select(Plan.id.label("ref"), _no_due())
        .join(Pair, Pair.id == Plan.pair_id)
        .where(open_pair_clause(), Plan.status != PlanStatus.APPROVED, live, ~proposals)
    )


def _quiet_pairs(today: date) -> Select:
    since = today - timedelta(days=QUIET_PAIR_DAYS)
    met = exists().where(Meeting.pair_id == Pair.id, Meeting.held_on >= since)
    return sql_select(Pair.id.label("ref"), _no_due()).where(
        Pair.status == PairStatus.ACTIVE,
        or_(Pair.started_on.is_(None), Pair.started_on <= since),
        ~met,
    )


def _petitions() -> Select:
    return sql_select(Petition.pair_id.label("ref"), _no_due()).where(
        Petition.status == PetitionStatus.PENDING
    )


def curator_items(user) -> list[WorkItem]:
    if not user.has_role(Role.CURATOR):
        return []
    today = today_moscow()
    people = _people_consents()
    t = tally(
        {
            "mentees_no_consent": _people_without_consent(people, "is_mentee"),
            "mentors_no_consent": _people_without_consent(people, "is_mentor"),
            "mentees_revoked": _people_revoked(people, "is_mentee"),
            "mentors_revoked": _people_revoked(people, "is_mentor"),
            "pairs_no_agreement": _pairs_without_agreement(),
            "agreements_signing": sql_select(Agreement.id.label("ref"), _no_due()).where(
                Agreement.status == AgreementStatus.SIGNING
            ),
            "plans_to_approve": _plans_to_approve(),
            "quiet_pairs": _quiet_pairs(today),
            "petitions": _petitions(),
        }
    )
    items = []
    for base, flag_key in (("mentees", "mentees"), ("mentors", "mentors")):
        who = "Наставляемые" if base == "mentees" else "Наставники"
        missing = t[f"{flag_key}_no_consent"]
        items.append(
            WorkItem(
                f"{who} без согласия на обработку персональных данных",
                missing.count,
                _link(
                    missing,
                    ("people.card", {"person_id": missing.ref}),
                    (f"people.{base}", {"consent": "missing"}),
                ),
                "warning",
            )
        )
        revoked = t[f"{flag_key}_revoked"]
        due = revoked.due + timedelta(days=DESTRUCTION_DAYS) if revoked.due else None
        items.append(
            WorkItem(
                f"{who}, отозвавшие согласие: обезличьте данные в течение 30 дней",
                revoked.count,
                _link(
                    revoked,
                    ("people.card", {"person_id": revoked.ref}),
                    (f"people.{base}", {"consent": "revoked"}),
                ),
                _tone_by_due(due, today),
                due,
            )
        )
    pairs = t["pairs_no_agreement"]
    items.append(
        WorkItem(
            "Пары и группы без выпущенного соглашения",
            pairs.count,
            _link(pairs, ("matching.pair", {"pair_id": pairs.ref}), ("matching.pairs", {})),
            "warning",
        )
    )
    signing = t["agreements_signing"]
    items.append(
        WorkItem(
            "Соглашения ждут подписей",
            signing.count,
            _link(
                signing,
                ("agreements.show", {"agreement_id": signing.ref}),
                ("agreements.index", {"status": AgreementStatus.SIGNING.value}),
            ),
            "info",
        )
    )
    plans = t["plans_to_approve"]
    items.append(
        WorkItem(
            "Индивидуальные планы ждут утверждения",
            plans.count,
            _link(plans, ("plans.show", {"plan_id": plans.ref}), ("plans.index", {})),
            "warning",
        )
    )
    quiet = t["quiet_pairs"]
    items.append(
        WorkItem(
            f"Пары без встреч больше {QUIET_PAIR_DAYS} дней",
            quiet.count,
            _link(
                quiet,
                ("matching.pair", {"pair_id": quiet.ref}),
                ("matching.pairs", {"status": PairStatus.ACTIVE.value}),
            ),
            "warning",
        )
    )
    petitions = t["petitions"]
    items.append(
        WorkItem(
            "Ходатайства о замене наставника ждут решения",
            petitions.count,
            # The pairs list has no petition filter: the oldest petition's pair comes first.
            url_for("matching.pair", pair_id=petitions.ref) if petitions.ref else "",
            "danger",
        )
    )
    return items


# --- mentors, mentees and parents ----------------------------------------------------------------

PARTY_ROLES = (Role.MENTOR, Role.MENTEE, Role.PARENT)


def party_items(user) -> list[WorkItem]:
    """A participant's own work: what to sign, what to do this week, what to record."""
    if user.person_id is None or not user.has_any_role(PARTY_ROLES):
        return []
    today = today_moscow()
    pid = user.person_id
    measures: dict[str, Select] = {"to_sign": _slots_to_sign(pid)}
    if user.has_role(Role.MENTOR):
        mine = Pair.mentor_id == pid
        measures["due_soon"] = _planned_items(mine).where(
            _item_date() <= today + timedelta(days=SOON_DAYS), _item_date() >= today
        )
        recorded = exists().where(meeting_items.c.item_id == PlanItem.id)
        measures["to_record"] = _planned_items(mine).where(_item_date() < today, ~recorded)
    member_of = []
    if user.has_role(Role.MENTEE):
        member_of.append(PairMember.mentee_id == pid)
    if user.has_role(Role.PARENT):
        member_of.append(PairMember.mentee_id.in_(children_clause(pid)))
    if member_of:
        theirs = exists().where(
            PairMember.pair_id == Pair.id, current_member_clause(), or_(*member_of)
        )
        measures["next"] = _planned_items(theirs).where(
            and_(_item_date() >= today, _item_date() <= today + timedelta(days=NEXT_DAYS))
        )
    t = tally(measures)
    sign = t["to_sign"]
    items = [
        WorkItem(
            "Соглашение ждёт вашей подписи" if sign.refs <= 1 else "Соглашения ждут вашей подписи",
            sign.count,
            _link(
                sign,
                ("agreements.sign", {"agreement_id": sign.ref}),
                ("agreements.index", {"status": AgreementStatus.SIGNING.value}),
            ),
            "danger",
        )
    ]
    if "due_soon" in t:
        soon = t["due_soon"]
        items.append(
            WorkItem(
                "Мероприятия плана на этой неделе",
                soon.count,
                _link(soon, ("plans.show", {"plan_id": soon.ref}), ("plans.index", {})),
                "warning",
                soon.due,
            )
        )
        record = t["to_record"]
        items.append(
            WorkItem(
                "Прошедшие мероприятия: отметьте встречу в журнале или перенесите",
                record.count,
                _link(
                    record,
                    ("plans.new_meeting", {"plan_id": record.ref}),
                    ("plans.index", {}),
                ),
                "warning",
                record.due,
            )
        )
    if "next" in t:
        upcoming = t["next"]
        items.append(
            WorkItem(
                "Ближайшие мероприятия плана",
                upcoming.count,
                _link(upcoming, ("plans.show", {"plan_id": upcoming.ref}), ("plans.index", {})),
                "info",
                upcoming.due,
            )
        )
    return items


# The queue, in the order areas were built; a new area adds its provider here.
PROVIDERS: tuple[Callable[[object], list], ...] = (
    curator_items,
    programme_work.work_items,
    party_items,
    monitoring_items,
    communication_items,
)


def _as_item(item) -> WorkItem:
    """Accept a WorkItem, another area's object with the same fields, or a dict of them."""
    if isinstance(item, WorkItem):
        return item
    if isinstance(item, dict):
        return WorkItem(**item)
    return WorkItem(item.title, item.count, item.url, item.tone, item.due)


def work_queue(user, providers=None) -> list[WorkItem]:
    """Everything the user should do now, most urgent first; nothing with a zero count."""
    items = [_as_item(item) for provider in providers or PROVIDERS for item in provider(user)]
    items = [item for item in items if item.is_open]
    return sorted(
        items,
        key=lambda i: (TONES.index(i.tone) if i.tone in TONES else 9, i.due or date.max),
    )
