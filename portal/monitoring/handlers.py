"""Monitoring acts on matching's facts: a pair that starts gets its entry questionnaires, a
pair that ends its exit questionnaires."""

from portal import signals
from portal.monitoring.campaigns import assign_pair_moment
from portal.monitoring.models import Moment


@signals.pair_ended.connect
def give_exit_questionnaires(pair, **_facts) -> int:
    """Everyone still in the pair answers the exit questionnaire while the work is fresh."""
    return assign_pair_moment(pair, Moment.EXIT)


@signals.pair_started.connect
def give_entry_questionnaires(pair, **_facts) -> int:
    """The measures of stage 2 start from the participants' answers at entry."""
    return assign_pair_moment(pair, Moment.ENTRY)
