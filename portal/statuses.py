"""Every status the portal stores, as an enum: the stored value, its Russian title, its badge tone.

The stored strings are the values (they were Russian words before the enums existed and stay
so, so old rows and other branches keep their meaning). Code compares members, never words:
``pair.status == PairStatus.ACTIVE``. Templates show a status through the one badge macro in
``templates/_macros/badge.html``: ``{{ badge(pair.status) }}``.

A column declared with ``StatusType(PairStatus)`` loads as the enum member, so
``pair.status.title`` and ``pair.status.tone`` work on anything read from the database.
"""

from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

# The badge tones the stylesheet knows (.badge-ok, .badge-info …).
TONES = ("ok", "info", "warn", "err", "muted")


class Status(StrEnum):
    """A stored status: ``Member = value, title, tone``; title defaults to the value."""

    def __new__(cls, value: str, title: str | None = None, tone: str = "muted"):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj._title = title or value
        obj._tone = tone
        return obj

    @property
    def title(self) -> str:  # shadows str.title on purpose: the Russian name of the status
        return self._title

    @property
    def tone(self) -> str:
        return self._tone

    @property
    def badge_class(self) -> str:
        return f"badge-{self._tone}"

    @classmethod
    def coerce(cls, value) -> "Status | None":
        """The member for a stored value (or the member itself); None stays None."""
        return None if value is None else cls(value)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


class PersonStatus(Status):
    """Where a person is in the programme (their card and the bases)."""

    CANDIDATE = "кандидат", None, "info"
    MEMBER = "участник", None, "ok"
    COMPLETED = "завершил", None, "muted"
    DROPPED = "выбыл", None, "muted"

    @classmethod
    def closed(cls) -> tuple["PersonStatus", ...]:
        """No longer in the programme: not offered for matching, may be anonymised."""
        return (cls.COMPLETED, cls.DROPPED)


class PairStatus(Status):
    """A pair or group: a draft until launched, then working, then ended one of two ways."""

    DRAFT = "черновик", None, "info"
    ACTIVE = "действует", None, "ok"
    COMPLETED = "завершена", None, "muted"
    TERMINATED = "расторгнута", None, "err"

    @classmethod
    def open(cls) -> tuple["PairStatus", ...]:
        """A pair still at work (its plan is edited, its people count as taken)."""
        return (cls.DRAFT, cls.ACTIVE)

    @property
    def is_open(self) -> bool:
        return self in (PairStatus.DRAFT, PairStatus.ACTIVE)


class MembershipStatus(Status):
    """A mentee's place in a pair: derived from ``PairMember.left_on``, not stored."""

    CURRENT = "состоит", None, "ok"
    LEFT = "выбыл(а)", None, "muted"

    @classmethod
    def of(cls, member) -> "MembershipStatus":
        return cls.CURRENT if member.left_on is None else cls.LEFT


class PetitionStatus(Status):
    """A mentee's petition to replace the mentor (п. 6.2)."""

    PENDING = "на рассмотрении", None, "warn"
    GRANTED = "удовлетворено", None, "ok"
    REJECTED = "отклонено", None, "muted"


class ProposalStatus(Status):
    """A computed cohort proposal, kept until the curator decides."""

    DRAFT = "черновик", None, "info"
    ACCEPTED = "принят", None, "ok"
    PARTLY_ACCEPTED = "принят частично", None, "ok"
    REJECTED = "отклонён", None, "muted"


class ProposalItemStatus(Status):
    """One proposed pair of a cohort proposal."""

    PROPOSED = "предложено", None, "info"
    ACCEPTED = "принято", None, "ok"
    REJECTED = "отклонено", None, "muted"
    NOT_ACCEPTED = "не принято", None, "muted"


class PlanStatus(Status):
    """An individual plan: a draft, approved by order, or changed after approval."""

    DRAFT = "черновик", None, "muted"
    APPROVED = "утверждён", None, "ok"
    CHANGED = "изменён после утверждения", None, "warn"


class PlanItemStatus(Status):
    """One activity of a plan."""

    PLANNED = "запланировано", None, "info"
    DONE = "выполнено", None, "ok"
    MOVED = "перенесено", None, "warn"
    CANCELLED = "отменено", None, "muted"


class AgreementStatus(Status):
    """An agreement's life: drafted, issued for signing, signed, in force, and after."""

    DRAFT = "черновик", None, "muted"
    SIGNING = "на подписании", None, "info"
    SIGNED = "подписано", None, "ok"
    ACTIVE = "действует", None, "ok"
    EXTENDED = "продлено", None, "ok"
    EXPIRED = "истекло", None, "muted"
    TERMINATED = "расторгнуто", None, "err"

    @classmethod
    def signed(cls) -> tuple["AgreementStatus", ...]:
        """Signed by everyone: the centre keeps its sealed copy."""
        return (cls.SIGNED, cls.ACTIVE, cls.EXTENDED, cls.EXPIRED, cls.TERMINATED)


class AgreementMark(Status):
    """Marks shown beside an agreement's status (not statuses themselves); also list filters."""

    TO_TERMINATE = "к расторжению", None, "warn"
    DECLINED = "отказ от подписи", None, "err"


class ConsentState(Status):
    """A person's consent of one kind: derived from their consents, not stored.

    The values are the words the code has always used (``consent_state() == "valid"`` still
    holds); ``label`` is the badge's sentence.
    """

    VALID = "valid", "действует", "ok"
    REVOKED = "revoked", "отозвано", "err"
    MISSING = "missing", "нет согласия", "warn"

    @property
    def label(self) -> str:
        return {
            ConsentState.VALID: "Согласие действует",
            ConsentState.REVOKED: "Согласие отозвано",
            ConsentState.MISSING: "Нет согласия",
        }[self]


class PersonCategory(StrEnum):
    """Who a person is (Приложение № 1); compared in rules, so named here once."""

    STUDENT = "обучающийся"
    TEACHER = "педагог"
    SPECIALIST = "специалист"
    GRADUATE = "выпускник"
    PARENT = "родитель"
    EXPERT = "внешний эксперт"


class StatusType(TypeDecorator):
    """A status column: stored as its string, loaded as the enum member.

    Binding an unknown string raises ValueError, so a typo never reaches the database.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[Status], length: int = 30):
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value, dialect):
        return None if value is None else self.enum(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum(value)

    def copy(self, **kw):
        return StatusType(self.enum, self.impl.length)


# Every status enum with the (table, column) whose stored values it must cover.
STORED = (
    (PersonStatus, "persons", "status"),
    (PairStatus, "pairs", "status"),
    (PetitionStatus, "petitions", "status"),
    (ProposalStatus, "cohort_proposals", "status"),
    (ProposalItemStatus, "proposal_items", "status"),
    (PlanStatus, "plans", "status"),
    (PlanItemStatus, "plan_items", "status"),
    (AgreementStatus, "agreements", "status"),
)

# Every enum of this module, offered to templates by name.
STATUS_ENUMS = (
    PersonStatus,
    PairStatus,
    MembershipStatus,
    PetitionStatus,
    ProposalStatus,
    ProposalItemStatus,
    PlanStatus,
    PlanItemStatus,
    AgreementStatus,
    AgreementMark,
    ConsentState,
    PersonCategory,
)
