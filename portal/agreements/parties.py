"""Who signs for each side of an agreement, decided from dates of birth (ГК ст. 26, 28)."""

from dataclasses import dataclass
from datetime import date

from portal.agreements.models import CAPACITY_REPRESENTATIVE, CAPACITY_SELF
from portal.domain import RuleViolation
from portal.people.models import Person, Representative
from portal.people.rules import representatives_of, signing_rule

SIDE_TITLES = {"mentor": "Наставник", "mentee": "Наставляемый"}
SIDE_GENITIVE = {"mentor": "Наставника", "mentee": "Наставляемого"}


@dataclass(frozen=True)
class RequiredSigner:
    """One signature an agreement needs."""

    side: str
    capacity: str
    person: Person
    on_behalf_of: Person
    role_label: str


def representative_choices(person: Person) -> list[Representative]:
    return representatives_of(person)


def _representative(person: Person, chosen_id: int | None, side: str) -> Representative:
    links = representatives_of(person)
    if chosen_id is not None:
        links = [link for link in links if link.representative_id == chosen_id] or links
    if not links:
        raise RuleViolation(
            f"У {person.short_name} ({SIDE_TITLES[side].lower()}, несовершеннолетний) "
            "в реестре нет законного представителя: добавьте его перед выпуском соглашения."
        )
    return links[0]


def required_signers(
    mentor: Person,
    mentee: Person,
    on: date,
    mentor_representative_id: int | None = None,
    mentee_representative_id: int | None = None,
) -> list[RequiredSigner]:
    """18+ the person; 14–17 the person and a representative; under 14 the representative."""
    signers: list[RequiredSigner] = []
    chosen = {"mentor": mentor_representative_id, "mentee": mentee_representative_id}
    for side, party in (("mentor", mentor), ("mentee", mentee)):
        rule = signing_rule(party, on)
        title = SIDE_TITLES[side]
        if rule.person_signs:
            signers.append(RequiredSigner(side, CAPACITY_SELF, party, party, title))
        if rule.needs_representative:
            link = _representative(party, chosen[side], side)
            label = f"{link.relation.capitalize()} (законный представитель) {SIDE_GENITIVE[side]}"
            signers.append(
                RequiredSigner(side, CAPACITY_REPRESENTATIVE, link.representative, party, label)
            )
    return signers


def party_text(side: str, party: Person, signers: list[RequiredSigner]) -> str:
    """How the text names one side: the person, and who acts for or with them."""
    mine = [s for s in signers if s.side == side]
    reps = [s for s in mine if s.capacity == CAPACITY_REPRESENTATIVE]
    if not reps:
        return party.full_name
    rep = reps[0]
    relation = rep.role_label.split(" (")[0].lower()
    if any(s.capacity == CAPACITY_SELF for s in mine):
        return (
            f"{party.full_name}, действующий(ая) с согласия законного представителя "
            f"({relation}) {rep.person.full_name}"
        )
    return (
        f"{party.full_name}, от имени которого(ой) действует законный представитель "
        f"({relation}) {rep.person.full_name}"
    )
