"""What the notifications area does when other areas announce a fact (portal.signals)."""

from portal import signals
from portal.extensions import db
from portal.matching.models import Pair
from portal.notifications.core import notify, representatives_of, users_of
from portal.relations import current_member_ids


@signals.agreement_issued.connect
def on_agreement_issued(agreement, **_) -> None:
    """Everyone who must sign learns that the agreement waits for them."""
    for user in users_of(slot.person_id for slot in agreement.slots):
        notify(
            user,
            "agreement_issued",
            f"{agreement.title} выпущено: его ждёт ваша подпись.",
            "agreement",
            agreement,
            "agreements.sign",
            agreement_id=agreement.id,
        )


@signals.plan_approved.connect
def on_plan_approved(plan, revision=None, **_) -> None:
    """The mentor, the mentees and their parents learn that the plan is approved."""
    pair = plan.pair
    mentees = current_member_ids(pair)
    people = {pair.mentor_id, *mentees, *representatives_of(mentees)}
    order = ""
    if revision is not None:
        order = f" (приказ от {revision.order_date:%d.%m.%Y} № {revision.order_number})"
    names = ", ".join(m.short_name for m in pair.mentees)
    for user in users_of(people):
        notify(
            user,
            "plan_approved",
            f"Индивидуальный план утверждён{order}: {pair.mentor.short_name} — {names}",
            "plan",
            plan,
            "plans.show",
            plan_id=plan.id,
        )


@signals.petition_decided.connect
def on_petition_decided(petition, granted: bool = False, **_) -> None:
    """The mentee who asked and their parents learn the decision."""
    people = {petition.mentee_id, *representatives_of([petition.mentee_id])}
    pair = petition.pair
    if granted and petition.new_pair_id:
        pair = db.session.get(Pair, petition.new_pair_id)
        text = f"Ходатайство о замене наставника удовлетворено: {petition.resolution}."
    else:
        text = f"Ходатайство о замене наставника отклонено: {petition.resolution}"
    for user in users_of(people):
        notify(
            user,
            "petition_decided",
            text,
            "pair",
            pair,
            "matching.pair",
            pair_id=pair.id,
        )
