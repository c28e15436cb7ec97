"""What waits for a user in the agreements area, for the start page's work queue.

``work_items(user)`` is this area's provider: the programme's queue
(``portal.notifications.queue``) lists the providers explicitly and concatenates them. Each item
has the fields of its ``WorkItem``: title, count, url, tone, due (a date or None).
"""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import exists, func, select

from portal.agreements.models import SIGNING, Agreement, Signature, SignatureSlot
from portal.extensions import db


@dataclass(frozen=True)
class WorkItem:
    title: str
    count: int
    url: str
    tone: str = "info"
    due: date | None = None


def awaiting_signature_ids(person_id: int) -> list[int]:
    """Agreements issued for signing in which the person has a signature still to give."""
    unsigned = ~exists().where(Signature.slot_id == SignatureSlot.id)
    query = (
        select(Agreement.id)
        .join(SignatureSlot, SignatureSlot.agreement_id == Agreement.id)
        .where(SignatureSlot.person_id == person_id, Agreement.status == SIGNING, unsigned)
        .group_by(Agreement.id)
        .order_by(func.min(Agreement.issued_at), Agreement.id)
    )
    return list(db.session.scalars(query))


def work_items(user) -> list[WorkItem]:
    if user is None or getattr(user, "person_id", None) is None:
        return []
    waiting = awaiting_signature_ids(user.person_id)
    if not waiting:
        return []
    if len(waiting) == 1:
        title = "Соглашение ждёт вашей подписи"
        url = url_for("agreements.sign", agreement_id=waiting[0])
    else:
        title = "Соглашения ждут вашей подписи"
        url = url_for("agreements.index")
    return [WorkItem(title=title, count=len(waiting), url=url, tone="warn")]
