"""Agreement tables: versioned template, the frozen agreement, signatures, codes and the trail."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.extensions import db
from portal.statuses import AgreementStatus, StatusType
from portal.timeutil import UTCDateTime, utcnow

# Short names for the members of AgreementStatus, used throughout this area.
DRAFT = AgreementStatus.DRAFT
SIGNING = AgreementStatus.SIGNING
SIGNED = AgreementStatus.SIGNED
ACTIVE = AgreementStatus.ACTIVE
EXPIRED = AgreementStatus.EXPIRED
TERMINATED = AgreementStatus.TERMINATED
EXTENDED = AgreementStatus.EXTENDED
STATUSES = (DRAFT, SIGNING, SIGNED, ACTIVE, EXTENDED, EXPIRED, TERMINATED)
# Statuses in which the document is signed and the centre keeps its sealed copy.
SIGNED_STATUSES = AgreementStatus.signed()

KIND_AGREEMENT = "agreement"
KIND_EXTENSION = "extension"

METHOD_PASSWORD = "пароль учётной записи"
METHOD_CODE = "одноразовый код"
CAPACITY_SELF = "self"
CAPACITY_REPRESENTATIVE = "representative"

# Columns fixed at issue: the signed text and everything it was made from.
FROZEN_COLUMNS = frozenset(
    {
        "kind",
        "parent_id",
        "pair_id",
        "mentee_id",
        "template_id",
        "number",
        "city",
        "agreement_date",
        "tasks",
        "months",
        "text",
        "text_hash",
        "verify_code",
        "mentor_representative_id",
        "mentee_representative_id",
        "issued_at",
    }
)


class FrozenAgreementError(Exception):
    """An attempt to change an issued agreement's text or terms reached the database layer."""


class AppendOnlyError(Exception):
    """An attempt to change or delete a recorded signature or trail event."""


class AgreementTemplate(db.Model):
    """One version of the text of Приложение № 3; issued agreements keep their version."""

    __tablename__ = "agreement_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    body: Mapped[str] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by = relationship("User", lazy="joined")


_OPEN_AGREEMENT = text(f"kind = '{KIND_AGREEMENT}' AND status <> '{TERMINATED}'")


class Agreement(db.Model):
    """The agreement of one mentee of a pair or group with the mentor, or an extension of it."""

    __tablename__ = "agreements"
    # One agreement in force or in progress per mentee of a pair, even if two curators click
    # «Создать черновик» at once (a terminated one may be followed by a new one).
    __table_args__ = (
        Index(
            "uq_agreements_open_per_mentee",
            "pair_id",
            "mentee_id",
            unique=True,
            sqlite_where=_OPEN_AGREEMENT,
            postgresql_where=_OPEN_AGREEMENT,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default=KIND_AGREEMENT)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), index=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("agreement_templates.id"))
    number: Mapped[str] = mapped_column(String(30), unique=True)
    city: Mapped[str] = mapped_column(String(100))
    agreement_date: Mapped[date] = mapped_column(Date)
    tasks: Mapped[str] = mapped_column(Text)
    months: Mapped[int] = mapped_column(Integer)
    mentor_representative_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    mentee_representative_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    status: Mapped[AgreementStatus] = mapped_column(
        StatusType(AgreementStatus, 20), default=DRAFT, index=True
    )

    # Fixed at issue.
    text: Mapped[str | None] = mapped_column(Text)
    text_hash: Mapped[str | None] = mapped_column(String(64))
    verify_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    # Set once all required signatures are present.
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, index=True)
    extended_until: Mapped[date | None] = mapped_column(Date)
    # The centre's copy (п. 3.5 of the regulation): the sealed PDF exactly as handed out.
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    terminated_on: Mapped[date | None] = mapped_column(Date)
    termination_kind: Mapped[str | None] = mapped_column(String(30))
    termination_reason: Mapped[str | None] = mapped_column(Text)
    # Set when the mentee asked to replace the mentor: the curator should terminate.
    to_terminate: Mapped[str | None] = mapped_column(String(300))

    trail_length: Mapped[int] = mapped_column(Integer, default=0)
    trail_head: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    pair = relationship("Pair", lazy="joined")
    mentee = relationship("Person", foreign_keys=[mentee_id], lazy="joined")
    mentor_representative = relationship("Person", foreign_keys=[mentor_representative_id])
    mentee_representative = relationship("Person", foreign_keys=[mentee_representative_id])
    template: Mapped[AgreementTemplate] = relationship(lazy="joined")
    parent = relationship("Agreement", remote_side=[id], foreign_keys=[parent_id])
    slots: Mapped[list["SignatureSlot"]] = relationship(
        cascade="all, delete-orphan",
        order_by="SignatureSlot.position",
        lazy="selectin",
        back_populates="agreement",
    )
    signatures: Mapped[list["Signature"]] = relationship(
        order_by="Signature.signed_at", lazy="selectin", back_populates="agreement"
    )
    declines: Mapped[list["Decline"]] = relationship(order_by="Decline.at", lazy="selectin")

    @property
    def is_extension(self) -> bool:
        return self.kind == KIND_EXTENSION

    @property
    def title(self) -> str:
        if self.is_extension:
            return f"Дополнительное соглашение № {self.number}"
        return f"Соглашение № {self.number}"

    @property
    def issued(self) -> bool:
        return self.issued_at is not None


class SignatureSlot(db.Model):
    """A signature the agreement needs: who signs, for whom and in what capacity."""

    __tablename__ = "agreement_signature_slots"
    __table_args__ = (UniqueConstraint("agreement_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(10))  # mentor | mentee
    capacity: Mapped[str] = mapped_column(String(20))  # self | representative
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    on_behalf_of_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    role_label: Mapped[str] = mapped_column(String(120))

    agreement: Mapped[Agreement] = relationship(back_populates="slots")
    person = relationship("Person", foreign_keys=[person_id], lazy="joined")
    on_behalf_of = relationship("Person", foreign_keys=[on_behalf_of_id], lazy="joined")

    @property
    def signature(self) -> "Signature | None":
        return next((s for s in self.agreement.signatures if s.slot_id == self.id), None)


class SignatureRulesAcceptance(db.Model):
    """A user (or a representative at the kiosk) accepted the rules of the ПЭП."""

    __tablename__ = "signature_rules_acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    rules_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))


class Signature(db.Model):
    """A simple electronic signature (63-ФЗ ст. 5, 9): append-only."""

    __tablename__ = "agreement_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    # One signature per required slot, enforced by the database across workers.
    slot_id: Mapped[int] = mapped_column(ForeignKey("agreement_signature_slots.id"), unique=True)
    signer_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    signer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    on_behalf_of_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    capacity: Mapped[str] = mapped_column(String(20))
    signer_name: Mapped[str] = mapped_column(String(300))
    on_behalf_of_name: Mapped[str] = mapped_column(String(300))
    role_label: Mapped[str] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(30))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_signing_codes.id"))
    operator_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(400))
    document_hash: Mapped[str] = mapped_column(String(64))
    verify_code: Mapped[str] = mapped_column(String(20), unique=True)

    agreement: Mapped[Agreement] = relationship(back_populates="signatures")

    @property
    def capacity_label(self) -> str:
        return "лично" if self.capacity == CAPACITY_SELF else "как законный представитель"


class Decline(db.Model):
    """A signer refused to sign, with the reason."""

    __tablename__ = "agreement_declines"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("agreement_signature_slots.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    person_name: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SigningCode(db.Model):
    """A one-time code for one person and one agreement; only its keyed hash is stored."""

    __tablename__ = "agreement_signing_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class AgreementEvent(db.Model):
    """One link of an agreement's hash-chained, append-only history."""

    __tablename__ = "agreement_events"
    __table_args__ = (UniqueConstraint("agreement_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str | None] = mapped_column(String(300))
    ip: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


@event.listens_for(Agreement, "before_update")
def _refuse_frozen_changes(mapper, connection, target: Agreement) -> None:
    # Ask the database, not the session: an expired attribute has no history to look at.
    stored_issue = connection.execute(
        select(Agreement.__table__.c.issued_at).where(Agreement.__table__.c.id == target.id)
    ).scalar()
    if stored_issue is None:
        return
    state = inspect(target)
    changed = [name for name in FROZEN_COLUMNS if state.attrs[name].history.has_changes()]
    if changed:
        raise FrozenAgreementError(
            f"Соглашение {target.number} уже выпущено: поля {', '.join(sorted(changed))} "
            "изменять нельзя."
        )


def _refuse(kind: str):
    def listener(mapper, connection, target) -> None:
        raise AppendOnlyError(f"Запись «{kind}» нельзя изменять или удалять.")

    return listener


for _model, _kind in ((AgreementEvent, "событие журнала"), (Signature, "подпись")):
    event.listen(_model, "before_update", _refuse(_kind))
    event.listen(_model, "before_delete", _refuse(_kind))
