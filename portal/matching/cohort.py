"""Cohort proposals: compute the optimal assignment for a form, keep it as a draft in the
database, let the curator change items (with a reason) and accept all or some of them."""

from dataclasses import dataclass

from sqlalchemy import insert, select

from portal import audit
from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching import pairs
from portal.matching.assign import assign_cohort
from portal.matching.candidates import (
    form_rule,
    load_candidates,
    load_weights,
    mentor_pool,
    paired_in_form,
    unmatched_pool,
    weights_dict,
)
from portal.matching.models import CohortProposal, MentorshipForm, ProposalItem
from portal.matching.score import (
    MatchScore,
    hard_filter,
    match_score,
    score_pairs,
    top_suggestions,
)
from portal.people.models import Person
from portal.statuses import ProposalItemStatus, ProposalStatus
from portal.text import Case, short_name_in
from portal.timeutil import utcnow


def score_parts(score: MatchScore) -> list[dict]:
    """A score as JSON for storage: what the curator saw when deciding."""
    return [
        {
            "code": p.code,
            "label": p.label,
            "points": round(p.points, 2),
            "max": p.max_points,
            "reason": p.reason,
        }
        for p in score.parts
    ]


def shown_parts(proposal: CohortProposal) -> dict[int, list[dict]]:
    """The criteria and reasons of each item, for the proposal page: stored ones (a curator's
    change keeps what was seen) or built now from the proposal's weights, in one batch."""
    parts = {item.id: item.parts for item in proposal.items if item.parts}
    missing = [item for item in proposal.items if not item.parts]
    if missing:
        people = load_candidates(
            {i.mentee_id for i in missing} | {i.mentor_id for i in missing}, with_capacity=True
        )
        shown = [i for i in missing if i.mentor_id in people and i.mentee_id in people]
        pairs = [(people[i.mentor_id], people[i.mentee_id]) for i in shown]
        scores = score_pairs(pairs, load_weights_from(proposal))
        parts.update({i.id: score_parts(sc) for i, sc in zip(shown, scores, strict=True)})
        parts.update({i.id: [] for i in missing if i.id not in parts})
    return parts


def compute(form: MentorshipForm, *, created_by: str | None = None) -> CohortProposal:
    """Propose mentors for every unmatched mentee of the form and store the draft."""
    weights = load_weights()
    mentees = load_candidates(unmatched_pool(form))
    mentors = load_candidates(mentor_pool(form), with_capacity=True)
    mentee_list = sorted(mentees.values(), key=lambda c: (c.full_name, c.id))
    mentor_list = sorted(mentors.values(), key=lambda c: (c.full_name, c.id))
    rule = form_rule(form)
    result = assign_cohort(
        mentee_list, mentor_list, rule, weights, paired=paired_in_form(form.id, list(mentees))
    )
    proposal = CohortProposal(
        form=form,
        total=result.total,
        weights=weights_dict(weights),
        created_by=created_by,
        mentee_count=len(mentee_list),
        mentor_count=len(mentor_list),
        unmatched=[
            {
                "mentee_id": u.mentee_id,
                "name": mentees[u.mentee_id].full_name,
                "reason": u.reason_ru,
            }
            for u in result.unmatched
        ],
    )
    db.session.add(proposal)
    db.session.flush()
    if result.pairs:
        # One executemany instead of thousands of ORM objects: a cohort may hold 2,000 items.
        db.session.execute(
            insert(ProposalItem),
            [
                {
                    "proposal_id": proposal.id,
                    "position": position,
                    "mentee_id": p.mentee_id,
                    "mentor_id": p.mentor_id,
                    "score": p.total,
                    # Reasons are built when the proposal is shown (shown_parts), not here.
                    "parts": [],
                    "status": ProposalItemStatus.PROPOSED,
                }
                for position, p in enumerate(result.pairs)
            ],
        )
        db.session.expire(proposal, ["items"])
    audit.record(
        "proposal_created",
        "cohort_proposal",
        proposal.id,
        {
            "form": [None, form.code],
            "pairs": [None, len(result.pairs)],
            "total": [None, result.total],
        },
        f"Предложение распределения: {form.name}, пар {len(result.pairs)}",
    )
    return proposal


def _require_draft(proposal: CohortProposal) -> None:
    if proposal.status != ProposalStatus.DRAFT:
        raise RuleViolation(f"Предложение уже {proposal.status}: изменить его нельзя.")


@dataclass
class Alternatives:
    """Mentors the curator may pick instead, best first, for one proposal item."""

    item: ProposalItem
    options: list  # list[score.Suggestion]


def alternatives(item: ProposalItem, limit: int = 15) -> list:
    """The best mentors for the item's mentee under the current weights (the proposed one
    included, so the curator sees where it stands)."""
    form = item.proposal.form
    mentee = load_candidates([item.mentee_id])[item.mentee_id]
    mentors = list(load_candidates(mentor_pool(form), with_capacity=True).values())
    paired = {b for a, b in paired_in_form(form.id, [item.mentee_id])}
    return top_suggestions(
        mentee,
        mentors,
        form_rule(form),
        load_weights_from(item.proposal),
        paired_ids=paired,
        limit=limit,
    )


def change_item(item: ProposalItem, new_mentor: Person, reason: str) -> None:
    """Replace the proposed mentor; the reason is required and logged."""
    proposal = item.proposal
    _require_draft(proposal)
    if item.status != ProposalItemStatus.PROPOSED:
        raise RuleViolation("Этот пункт уже принят или отклонён.")
    if not reason.strip():
        raise RuleViolation("Укажите причину замены: она сохраняется в журнале.")
    if new_mentor.id == item.mentor_id:
        raise RuleViolation("Выбран тот же наставник, что и в предложении.")
    form = proposal.form
    found = load_candidates([new_mentor.id, item.mentee_id], with_capacity=True)
    mentor_c, mentee_c = found[new_mentor.id], found[item.mentee_id]
    blockers = hard_filter(mentor_c, mentee_c, form_rule(form), already_paired=False)
    if blockers:
        raise RuleViolation(f"{new_mentor.short_name} не подходит: {'; '.join(blockers)}.")
    taken = sum(
        1
        for other in proposal.items
        if other.id != item.id
        and other.mentor_id == new_mentor.id
        and other.status == ProposalItemStatus.PROPOSED
    )
    if taken >= mentor_c.remaining_capacity:
        raise RuleViolation(
            f"У {new_mentor.short_name} не останется мест: свободно "
            f"{mentor_c.remaining_capacity}, и все уже отданы в этом предложении."
        )
    score = match_score(mentor_c, mentee_c, load_weights_from(proposal))
    old_mentor_id, old_score = item.mentor_id, item.score
    if item.original_mentor_id is None:
        item.original_mentor_id, item.original_score = item.mentor_id, item.score
    item.mentor_id = new_mentor.id
    item.mentor = new_mentor
    item.score = score.total
    item.parts = score_parts(score)
    item.change_reason = reason.strip()
    proposal.total = sum(i.score for i in proposal.items if i.status != ProposalItemStatus.REJECTED)
    audit.record(
        "proposal_item_changed",
        "cohort_proposal",
        proposal.id,
        {
            "mentor_id": [old_mentor_id, new_mentor.id],
            "score": [old_score, score.total],
            "mentee_id": [item.mentee_id, item.mentee_id],
        },
        f"Замена наставника для {short_name_in(item.mentee, Case.GENITIVE)}: "
        f"причина — {reason.strip()}",
    )


def load_weights_from(proposal: CohortProposal):
    from portal.matching.score import Weights

    try:
        return Weights(**proposal.weights)
    except (TypeError, ValueError):
        return load_weights()


@dataclass
class AcceptReport:
    accepted: list[ProposalItem]
    failed: list[ProposalItem]


def accept(proposal: CohortProposal, item_ids: set[int] | None = None) -> AcceptReport:
    """Turn the chosen items (all pending ones when None) into pairs through pairs.assign.

    Every item is re-checked now, in its own savepoint: an item that became invalid since the
    proposal was computed (a consent revoked, a place taken) is reported and stays pending,
    the valid ones are accepted. Each pair stands on its own, so refusing the lot because of
    one would only make the curator redo the others by hand.
    """
    _require_draft(proposal)
    chosen = [
        i
        for i in proposal.items
        if i.status == ProposalItemStatus.PROPOSED and (item_ids is None or i.id in item_ids)
    ]
    if not chosen:
        raise RuleViolation("Отметьте хотя бы одну пару, которую нужно принять.")
    form = proposal.form
    report = AcceptReport(accepted=[], failed=[])
    for item in chosen:
        savepoint = db.session.begin_nested()
        try:
            result = pairs.assign(form, item.mentor, item.mentee, source="распределение")
        except RuleViolation as exc:
            savepoint.rollback()
            item.error = exc.message
            report.failed.append(item)
            continue
        savepoint.commit()
        item.status = ProposalItemStatus.ACCEPTED
        item.error = None
        item.pair_id = result.pair.id
        report.accepted.append(item)
    _settle(proposal)
    audit.record(
        "proposal_accepted",
        "cohort_proposal",
        proposal.id,
        {
            "accepted": [None, [i.id for i in report.accepted]],
            "failed": [None, [i.id for i in report.failed]],
        },
        f"Принято пар: {len(report.accepted)}, не принято: {len(report.failed)}",
    )
    return report


def _settle(proposal: CohortProposal) -> None:
    """The draft closes when nothing is pending any more."""
    if any(i.status == ProposalItemStatus.PROPOSED for i in proposal.items):
        return
    accepted = sum(1 for i in proposal.items if i.status == ProposalItemStatus.ACCEPTED)
    proposal.status = (
        ProposalStatus.ACCEPTED
        if accepted == len(proposal.items)
        else ProposalStatus.PARTLY_ACCEPTED
    )
    proposal.decided_at = utcnow()


def discard(proposal: CohortProposal) -> None:
    """Reject what is still pending; pairs already accepted stay."""
    _require_draft(proposal)
    pending = [i for i in proposal.items if i.status == ProposalItemStatus.PROPOSED]
    for item in pending:
        item.status = ProposalItemStatus.REJECTED
    accepted = any(i.status == ProposalItemStatus.ACCEPTED for i in proposal.items)
    proposal.status = ProposalStatus.PARTLY_ACCEPTED if accepted else ProposalStatus.REJECTED
    proposal.decided_at = utcnow()
    audit.record(
        "proposal_discarded",
        "cohort_proposal",
        proposal.id,
        {"status": [ProposalStatus.DRAFT, proposal.status]},
        f"Предложение закрыто, отклонено пунктов: {len(pending)}",
    )


def recent(limit: int = 10) -> list[CohortProposal]:
    query = select(CohortProposal).order_by(CohortProposal.id.desc()).limit(limit)
    return list(db.session.scalars(query))
