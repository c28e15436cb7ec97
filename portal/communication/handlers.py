"""What the communication area does when other areas announce a fact (portal.signals)."""

from portal import signals
from portal.communication.help import can_see_request
from portal.communication.plan import request_takedown
from portal.communication.work import may_see_item
from portal.notifications.core import notify, register_visibility
from portal.relations import PUBLICATION

register_visibility("media_item", may_see_item)
register_visibility("consultation_request", can_see_request)


@signals.consent_revoked.connect
def on_consent_revoked(person, consent=None, revoked_on=None, no_valid_left=False, **_):
    """A revoked publication consent puts the person's published items in the queue to come
    down, and tells each item's responsible."""
    if consent is None or consent.kind != PUBLICATION or not no_valid_left:
        return []
    items = request_takedown(person.id, revoked_on)
    for item in items:
        if item.responsible is not None:
            notify(
                item.responsible,
                "takedown",
                f"{person.short_name} отозвал(а) согласие на публикацию: снимите «{item.title}».",
                "media_item",
                item,
                "communication.edit_item",
                item_id=item.id,
            )
    return items
