"""The one place that says whether a participant may be published about in a channel.

Until the documents issue gives the publication consent (152-ФЗ ст. 10.1) its channels, a valid
publication consent covers every channel; the relations module answers what «valid» means.
"""

from portal.relations import PUBLICATION, valid_consent_ids


def lacking_publication_consent(people, channel) -> list:
    """The people named in a publication for the channel without a valid publication consent."""
    del channel  # per-channel consents arrive with issue 10; the signature already takes one
    allowed = valid_consent_ids([p.id for p in people], PUBLICATION)
    return [p for p in people if p.id not in allowed]
