"""Handing signing access to a person (63-ФЗ ст. 9): staff check identity, the signer alone
chooses the secret.

The curator records which document was checked (kind, last digits), is signed out of the
browser, and that screen becomes the signer's: there the person chooses their own password,
which becomes their signing key. No staff screen ever shows a secret; a password staff set
or reset never signs (see ``User.set_password``).
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from portal import audit
from portal.access import Role
from portal.accounts import service as accounts
from portal.accounts.models import User
from portal.accounts.security import password_problem
from portal.agreements import lifecycle, signing, trail
from portal.agreements.models import CAPACITY_REPRESENTATIVE, SIGNING, SignerHandover
from portal.domain import RuleViolation
from portal.extensions import db
from portal.timeutil import utcnow
from portal.writelock import begin_write

HANDOVER_LIFETIME = timedelta(minutes=20)
DOCUMENT_KINDS = (
    "паспорт гражданина РФ",
    "заграничный паспорт",
    "вид на жительство",
    "паспорт иностранного гражданина",
    "удостоверение личности военнослужащего",
    "свидетельство о рождении",
)


@dataclass(frozen=True)
class IdentityCheck:
    document_kind: str
    last_digits: str


def token_hash(token: str) -> str:
    return hashlib.sha256(f"signer-handover:{token}".encode()).hexdigest()


def account_of(person_id: int) -> User | None:
    return db.session.scalar(select(User).where(User.person_id == person_id))


def _role_for(slot) -> Role:
    if slot.capacity == CAPACITY_REPRESENTATIVE:
        return Role.PARENT
    return Role.MENTOR if slot.side == "mentor" else Role.MENTEE


def suggested_login(person) -> str:
    from portal.text import fold

    base = re.sub(r"[^a-z0-9]", "", fold(person.last_name).lower()) or "signer"
    login, n = f"{base}{person.id}", 1
    while accounts.login_taken(login):
        n += 1
        login = f"{base}{person.id}_{n}"
    return login


def start(agreement_id: int, slot_id: int, check: IdentityCheck, staff) -> tuple[str, object]:
    """Record the identity check for a slot's signer; return the plain token for the kiosk
    session (never rendered) and the handover record. The caller commits and signs staff out.
    """
    signing.require_esign_adopted()
    agreement = lifecycle.lock(agreement_id)
    if agreement.status != SIGNING:
        raise RuleViolation("Передать доступ можно, пока соглашение на подписании.")
    slot = next((s for s in agreement.slots if s.id == slot_id), None)
    if slot is None or slot.signature is not None:
        raise RuleViolation("Этот подписант уже подписал соглашение или не нужен.")
    if check.document_kind not in DOCUMENT_KINDS:
        raise RuleViolation("Выберите вид документа, удостоверяющего личность.")
    if not re.fullmatch(r"\d{4}", check.last_digits or ""):
        raise RuleViolation("Укажите последние 4 цифры номера документа.")
    if staff is not None and getattr(staff, "person_id", None) == slot.person_id:
        raise RuleViolation("Свою личность сотрудник не может проверить сам.")
    now = utcnow()
    # An unused earlier hand-over for this person is void: only the newest screen works.
    db.session.execute(
        update(SignerHandover)
        .where(SignerHandover.person_id == slot.person_id, SignerHandover.used_at.is_(None))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    record = SignerHandover(
        agreement_id=agreement.id,
        person_id=slot.person_id,
        document_kind=check.document_kind,
        document_last_digits=check.last_digits,
        checked_by_id=staff.id,
        checked_by_name=staff.full_name,
        checked_at=now,
        token_hash=token_hash(token),
        expires_at=now + HANDOVER_LIFETIME,
    )
    db.session.add(record)
    db.session.flush()
    trail.append(
        agreement,
        "identity_checked",
        actor=staff,
        data={
            "signer": slot.person.full_name,
            "document": f"{check.document_kind}, …{check.last_digits}",
            "checked_by": staff.full_name,
        },
    )
    audit.record(
        "signer_identity_checked",
        "person",
        slot.person_id,
        summary=f"Личность сверена: {check.document_kind}, …{check.last_digits}",
        actor=staff,
    )
    return token, record


def pending(token: str | None) -> SignerHandover | None:
    """The open hand-over this kiosk token names, or None (used, expired or unknown)."""
    if not token:
        return None
    record = db.session.scalar(
        select(SignerHandover).where(SignerHandover.token_hash == token_hash(token))
    )
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        return None
    return record


def complete(token: str, password: str, repeat: str, rules_accepted: bool, info) -> User:
    """The signer sets their own password on the kiosk screen: it becomes their signing key."""
    begin_write()  # SQLite: one writer from the first read, so the token is consumed once
    record = pending(token)
    if record is None:
        raise RuleViolation(
            "Срок передачи экрана истёк или он уже использован. Попросите куратора снова "
            "проверить документ."
        )
    if not rules_accepted:
        raise RuleViolation("Прочитайте и примите правила простой электронной подписи.")
    if password != repeat:
        raise RuleViolation("Пароли не совпадают.")
    user = account_of(record.person_id)
    login = user.login if user else suggested_login(record.person)
    problem = password_problem(password or "", login)
    if problem:
        raise RuleViolation(problem)
    # Consume first: of two tabs racing with one token only one sets the key.
    used = db.session.execute(
        update(SignerHandover)
        .where(SignerHandover.id == record.id, SignerHandover.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise RuleViolation("Этот экран уже использован.")
    agreement = lifecycle.lock(record.agreement_id) if record.agreement_id else None
    slot = (
        next((s for s in agreement.slots if s.person_id == record.person_id), None)
        if agreement
        else None
    )
    if user is None:
        role = _role_for(slot) if slot else Role.PARENT
        user, _ = accounts.create_user(
            login,
            record.person.full_name,
            [role],
            password=password,
            actor=db.session.get(User, record.checked_by_id) if record.checked_by_id else None,
            person_id=record.person_id,
        )
    else:
        user.set_password(password)
        user.must_change_password = False
    now = utcnow()
    user.signer_key_at = now
    user.signer_key_person_id = record.person_id
    record.user_id = user.id
    db.session.flush()
    if not signing.has_accepted_rules(user):
        signing.accept_rules(user, info)
    if agreement is not None:
        trail.append(
            agreement,
            "signer_key_set",
            actor=user,
            ip=info.ip,
            data={"signer": record.person.full_name, "login": user.login},
        )
    audit.record(
        "signer_key_set",
        "user",
        user.id,
        summary="Подписант задал свой пароль после проверки личности",
        actor=user,
    )
    return user


def grant_for_demo(user: User, staff) -> None:
    """Demo data only: a recorded check and a key, as if the person had come in."""
    now = utcnow()
    db.session.add(
        SignerHandover(
            person_id=user.person_id,
            document_kind=DOCUMENT_KINDS[0],
            document_last_digits="0000",
            checked_by_id=getattr(staff, "id", None),
            checked_by_name=getattr(staff, "full_name", "демо"),
            checked_at=now,
            token_hash=token_hash(secrets.token_urlsafe(16)),
            expires_at=now,
            used_at=now,
            user_id=user.id,
        )
    )
    user.signer_key_at = now
    user.signer_key_person_id = user.person_id
