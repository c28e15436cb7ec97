"""The agreement's history as hash-chained, append-only events, and the check of the chain."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.agreements.models import Agreement, AgreementEvent
from portal.extensions import db
from portal.timeutil import utcnow

GENESIS = "0" * 64

EVENT_TITLES = {
    "created": "Создан черновик",
    "edited": "Черновик изменён",
    "issued": "Выпущено на подписание",
    "opened": "Открыто для подписания",
    "rules_accepted": "Приняты правила ПЭП",
    "signed": "Подписано",
    "sign_refused": "Попытка подписи отклонена",
    "declined": "Отказ от подписания",
    "code_issued": "Выдан одноразовый код",
    "identity_checked": "Личность подписанта проверена, экран передан",
    "signer_key_set": "Подписант задал свой пароль",
    "signed_on_paper": "Подписано на бумаге, загружен скан",
    "fully_signed": "Подписано всеми сторонами, заверено печатью",
    "terminated": "Расторгнуто",
    "extended": "Продлено дополнительным соглашением",
    "marked_to_terminate": "Отмечено к расторжению",
    "pdf_downloaded": "Скачан PDF",
}


def canonical_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _payload(
    agreement_id: int, seq: int, kind: str, at: datetime, actor_user_id, actor_name, ip, data: str
) -> str:
    return canonical_json(
        {
            "agreement": agreement_id,
            "seq": seq,
            "kind": kind,
            "at": at.isoformat(timespec="microseconds"),
            "actor_user": actor_user_id,
            "actor": actor_name,
            "ip": ip,
            "data": data,
        }
    )


def event_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def append(
    agreement: Agreement,
    kind: str,
    *,
    actor=None,
    actor_name: str | None = None,
    ip: str | None = None,
    data: dict | None = None,
) -> AgreementEvent:
    """Add the next event; the caller's transaction commits it with the change it records.

    The caller holds the agreement row locked (lifecycle.lock) so two workers cannot both
    append event n+1; the unique (agreement, seq) constraint is the last line of defence.
    """
    seq = (agreement.trail_length or 0) + 1
    prev = agreement.trail_head or GENESIS
    # Microseconds are dropped: every database keeps whole seconds the same way.
    at = utcnow().replace(microsecond=0)
    name = actor_name or getattr(actor, "full_name", None)
    actor_id = getattr(actor, "id", None)
    data_text = canonical_json(data or {})
    digest = event_hash(prev, _payload(agreement.id, seq, kind, at, actor_id, name, ip, data_text))
    event = AgreementEvent(
        agreement_id=agreement.id,
        seq=seq,
        kind=kind,
        at=at,
        actor_user_id=actor_id,
        actor_name=name,
        ip=ip,
        data=data_text,
        prev_hash=prev,
        hash=digest,
    )
    db.session.add(event)
    agreement.trail_length = seq
    agreement.trail_head = digest
    return event


def events(agreement: Agreement) -> list[AgreementEvent]:
    query = (
        select(AgreementEvent)
        .where(AgreementEvent.agreement_id == agreement.id)
        .order_by(AgreementEvent.seq)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    problem: str | None = None
    seq: int | None = None


def verify_chain(agreement: Agreement) -> ChainReport:
    """Recompute every link; an edited, deleted or inserted event breaks the chain."""
    prev = GENESIS
    rows = events(agreement)
    for expected_seq, row in enumerate(rows, start=1):
        if row.seq != expected_seq:
            return ChainReport(
                False,
                f"Журнал событий нарушен: после события № {expected_seq - 1} "
                f"идёт № {row.seq} — событие удалено или вставлено.",
                expected_seq,
            )
        if row.prev_hash != prev:
            return ChainReport(
                False,
                f"Журнал событий нарушен: событие № {row.seq} не ссылается на "
                "предыдущее — запись вставлена или заменена.",
                row.seq,
            )
        payload = _payload(
            agreement.id,
            row.seq,
            row.kind,
            row.at,
            row.actor_user_id,
            row.actor_name,
            row.ip,
            row.data,
        )
        if event_hash(prev, payload) != row.hash:
            return ChainReport(
                False,
                f"Журнал событий нарушен: событие № {row.seq} изменено после записи.",
                row.seq,
            )
        prev = row.hash
    if len(rows) != (agreement.trail_length or 0) or prev != (agreement.trail_head or GENESIS):
        return ChainReport(
            False, "Журнал событий нарушен: последние события удалены или заменены.", len(rows)
        )
    return ChainReport(True)
