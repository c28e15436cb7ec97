"""What matching does when another area announces a fact (see portal.signals)."""

from portal import audit
from portal.matching.models import Pair
from portal.matching.pairs import record_event
from portal.relations import open_pairs_of
from portal.signals import consent_revoked


@consent_revoked.connect
def flag_pairs_on_consent_revoked(person, *, consent, revoked_on, no_valid_left, actor=None):
    """No valid consent to processing left: the person's open pairs wait for the curator.

    The pair is not ended automatically (that is the curator's decision); it is marked
    «требует внимания» and the step shows in its event list. Returns the flagged pairs.
    """
    if consent.kind != "processing" or not no_valid_left:
        return []
    note = (
        f"Отозвано согласие на обработку персональных данных: {person.short_name}, "
        f"{revoked_on.strftime('%d.%m.%Y')}. Работа пары приостановлена до решения куратора."
    )[:300]
    flagged: list[Pair] = []
    for pair in open_pairs_of(person):
        before = pair.needs_attention
        pair.needs_attention = note
        record_event(pair, "consent_revoked", note, login=getattr(actor, "login", None))
        audit.record(
            "pair_flagged",
            "pair",
            pair.id,
            {"needs_attention": [before, note]},
            summary="Отзыв согласия участника",
            actor=actor,
        )
        flagged.append(pair)
    return flagged
