"""Calls other areas make into agreements: a pair replaced at the mentee's petition."""

from sqlalchemy import select

from portal import audit
from portal.agreements import lifecycle, trail
from portal.agreements.models import DRAFT, TERMINATED, Agreement
from portal.extensions import db


def on_pair_replaced(old_pair, new_pair) -> list[Agreement]:
    """Mark the old pair's agreements «к расторжению» for the curator (п. 2.4.4).

    Nothing is terminated automatically: termination is a decision of the parties or the
    curator, recorded with its reason. Drafts of the old pair are simply no longer needed,
    and are marked the same way so the curator sees them. The caller commits.
    """
    reason = f"Наставляемый ходатайствовал о замене наставника: новая пара № {new_pair.id}."
    marked = []
    query = select(Agreement.id).where(
        Agreement.pair_id == old_pair.id, Agreement.status != TERMINATED
    )
    for agreement_id in list(db.session.scalars(query)):
        agreement = lifecycle.lock(agreement_id)
        if agreement.to_terminate:
            continue
        if lifecycle.effective_status(agreement) == "истекло":
            continue
        agreement.to_terminate = reason
        trail.append(
            agreement,
            "marked_to_terminate",
            data={
                "reason": reason,
                "draft": agreement.status == DRAFT,
            },
        )
        audit.record("agreement_marked_to_terminate", "agreement", agreement.id, summary=reason)
        marked.append(agreement)
    return marked
