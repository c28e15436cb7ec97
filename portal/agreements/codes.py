"""One-time signing codes: keyed hashes only, bound to one agreement and one person."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from portal.accounts.security import generate_one_time_password
from portal.agreements.models import SigningCode
from portal.extensions import db
from portal.timeutil import utcnow
from portal.writelock import begin_write

CODE_LIFETIME = timedelta(hours=72)
MAX_ATTEMPTS = 5
_BLOCKED = "Код заблокирован после нескольких неверных попыток. Попросите куратора выдать новый."


def normalise(code: str) -> str:
    """Codes are typed from paper: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def code_hash(agreement_id: int, person_id: int, code: str) -> str:
    # The agreement and the person are part of the MAC: a code is useless for anything else.
    key = current_app.config["SECRET_KEY"].encode()
    message = f"agreement-code:{agreement_id}:{person_id}:{normalise(code)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue_code(agreement_id: int, person_id: int, issued_by) -> tuple[SigningCode, str]:
    """Replace any open code of this person for this agreement; returns the record and code."""
    now = utcnow()
    db.session.execute(
        update(SigningCode)
        .where(
            SigningCode.agreement_id == agreement_id,
            SigningCode.person_id == person_id,
            SigningCode.used_at.is_(None),
        )
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )
    plain = generate_one_time_password()
    record = SigningCode(
        agreement_id=agreement_id,
        person_id=person_id,
        code_hash=code_hash(agreement_id, person_id, plain),
        issued_at=now,
        issued_by_id=getattr(issued_by, "id", None),
        expires_at=now + CODE_LIFETIME,
    )
    db.session.add(record)
    db.session.flush()
    return record, plain


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    record: SigningCode | None = None
    problem: str | None = None


def check_code(agreement_id: int, person_id: int, code: str) -> CodeCheck:
    """Check and consume a code. A failure is counted and committed at once.

    Counting is exact under parallel attempts: the count only grows while it is below the
    limit (a conditional UPDATE, re-checked under PostgreSQL's row lock), and on SQLite the
    check runs as the database's one writer.
    """
    begin_write()
    now = utcnow()
    typed = code_hash(agreement_id, person_id, code)
    record = db.session.scalar(
        select(SigningCode)
        .where(SigningCode.agreement_id == agreement_id, SigningCode.person_id == person_id)
        .order_by(SigningCode.issued_at.desc(), SigningCode.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    if record is None:
        return CodeCheck(
            False,
            None,
            "Для этого подписанта по этому соглашению код не выдавался. Обратитесь к куратору.",
        )
    if not hmac.compare_digest(record.code_hash, typed):
        # A code from an older slip: say what it is instead of counting it against the new one.
        older = db.session.scalar(
            select(SigningCode).where(
                SigningCode.agreement_id == agreement_id,
                SigningCode.person_id == person_id,
                SigningCode.code_hash == typed,
                SigningCode.id != record.id,
            )
        )
        if older is not None:
            if older.used_at is not None:
                return CodeCheck(False, older, "Этот код уже использован.")
            return CodeCheck(
                False,
                older,
                "Этот код отменён: куратор выдал новый. Введите код с последнего листка.",
            )
    if record.used_at is not None:
        return CodeCheck(
            False,
            record,
            "Этот код уже использован. Одноразовый код действует "
            "один раз; попросите куратора выдать новый.",
        )
    if record.revoked:
        return CodeCheck(False, record, "Этот код отменён: куратор выдал новый.")
    if record.failed_attempts >= MAX_ATTEMPTS:
        return CodeCheck(False, record, _BLOCKED)
    if record.expires_at <= now:
        return CodeCheck(
            False, record, "Срок действия кода истёк. Попросите куратора выдать новый."
        )
    codes = SigningCode.__table__
    if not hmac.compare_digest(record.code_hash, typed):
        counted = db.session.execute(
            update(codes)
            .where(codes.c.id == record.id, codes.c.failed_attempts < MAX_ATTEMPTS)
            .values(failed_attempts=codes.c.failed_attempts + 1)
        ).rowcount
        db.session.commit()
        db.session.refresh(record)
        left = MAX_ATTEMPTS - record.failed_attempts
        if counted != 1 or left <= 0:
            return CodeCheck(
                False, record, "Неверный код. Код заблокирован; попросите куратора выдать новый."
            )
        return CodeCheck(False, record, f"Неверный код. Осталось попыток: {left}.")
    # Consume it atomically: of two workers racing with the same code only one wins, and a
    # code whose last attempt went to a parallel wrong guess stays blocked.
    consumed = db.session.execute(
        update(codes)
        .where(
            codes.c.id == record.id,
            codes.c.used_at.is_(None),
            codes.c.revoked.is_(False),
            codes.c.failed_attempts < MAX_ATTEMPTS,
        )
        .values(used_at=now)
    )
    if consumed.rowcount != 1:
        return CodeCheck(False, record, "Этот код уже использован или заблокирован.")
    return CodeCheck(True, record)
