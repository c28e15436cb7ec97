"""What the notifications area does when other areas announce a fact (portal.signals)."""

from datetime import date

from sqlalchemy import select

from portal import signals
from portal.accounts.models import User
from portal.extensions import db
from portal.matching.models import Pair
from portal.monitoring.campaigns import belongs_to
from portal.notifications.core import notify, register_visibility, representatives_of, users_of
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


register_visibility("questionnaire", lambda user, assignment: belongs_to(assignment, user))


@signals.questionnaires_assigned.connect
def on_questionnaires_assigned(_sender, assignments=(), **_) -> None:
    """Each respondent learns once that a questionnaire waits for them (a campaign may give a
    person several: the first one links to the list of their questionnaires)."""
    by_user: dict[int, list] = {}
    people: dict[int, list] = {}
    for assignment in assignments:
        if assignment.user_id is not None:
            by_user.setdefault(assignment.user_id, []).append(assignment)
        elif assignment.person_id is not None:
            people.setdefault(assignment.person_id, []).append(assignment)
    for user in users_of(people):
        by_user.setdefault(user.id, []).extend(people[user.person_id])
    if not by_user:
        return
    users = db.session.scalars(select(User).where(User.id.in_(by_user), User.active.is_(True)))
    for user in users:
        mine = by_user[user.id]
        first = min(mine, key=lambda a: (a.due_on or date.max, a.id))
        due = f" до {first.due_on:%d.%m.%Y}" if first.due_on else ""
        count = f"Анкеты мониторинга ({len(mine)})" if len(mine) > 1 else "Анкета мониторинга"
        notify(
            user,
            "questionnaire_assigned",
            f"{count} ждут ваших ответов{due}."
            if len(mine) > 1
            else f"{count} ждёт ваших ответов{due}.",
            "questionnaire",
            first,
            "monitoring.answer",
            assignment_id=first.id,
        )
