"""What agreements does when another area announces a fact (see portal.signals)."""

from sqlalchemy import select

from portal import audit
from portal.agreements import lifecycle, trail
from portal.agreements.models import DRAFT, EXPIRED, TERMINATED, Agreement
from portal.extensions import db
from portal.signals import pair_replaced


@pair_replaced.connect
def mark_on_pair_replaced(old_pair, *, new, **_) -> list[Agreement]:
    """The pair_replaced handler (sender: the old pair)."""
    return on_pair_replaced(old_pair, new)


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
        if lifecycle.effective_status(agreement) == EXPIRED:
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
