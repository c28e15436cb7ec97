"""The facts one area announces and other areas act on, as blinker signals.

An area that owns a fact sends its signal after the change is flushed (inside the caller's
transaction; the caller commits). Areas that care connect a handler in their own
``handlers.py``, which ``create_app`` imports explicitly. This keeps the import graph pointing
down: people does not import matching, matching does not import agreements.

Every signal's sender is the changed object; the keyword arguments are listed per signal.
A handler may return a value; the sender collects them from ``signal.send(...)``.
"""

from blinker import Namespace

_facts = Namespace()

# Sent by people (consents.revoke_consent). sender: the Person whose consent was revoked.
# kwargs: consent (Consent), revoked_on (date), no_valid_left (bool: no valid consent of that
# kind remains), actor (User or None). Matching flags the person's open pairs and returns them.
consent_revoked = _facts.signal("consent-revoked")

# Sent by people (anonymise.anonymise). sender: the Person, already anonymised; kwargs: actor.
person_anonymised = _facts.signal("person-anonymised")

# Sent by matching (pairs.replace_mentor). sender: the old Pair; kwargs: new (the new Pair),
# petition. Agreements marks the old pair's agreements «к расторжению».
pair_replaced = _facts.signal("pair-replaced")

# Sent by matching (pairs.complete / pairs.terminate / a group left empty). sender: the Pair,
# whose status is now COMPLETED or TERMINATED; kwargs: status, ended_on, reason.
pair_ended = _facts.signal("pair-ended")

# Sent by matching (pairs.remove_member, replace_mentor). sender: the Pair; kwargs: member
# (the PairMember, left_on set), reason. The leaver loses access through portal.relations.
member_left = _facts.signal("member-left")

# Sent by matching (pairs.activate). sender: the Pair, now ACTIVE; kwargs: started_on. People
# moves the participants' status from «кандидат» to «участник».
pair_started = _facts.signal("pair-started")

# Sent by matching (pairs.change_draft_mentor). sender: the draft Pair, its mentor already the
# new one; kwargs: old_mentor, new_mentor (Person). Agreements cancels the pair's unsigned
# agreements (they name the old mentor) and refuses with RuleViolation if one is signed.
draft_mentor_changed = _facts.signal("draft-mentor-changed")

# Sent by agreements (signing, when the last required signature is given). sender: the
# Agreement, now signed; kwargs: pair, all_signed (every current mentee of the pair has a
# signed agreement). Matching starts a draft pair whose consents are in place.
agreement_signed = _facts.signal("agreement-signed")
# Sent by agreements (lifecycle.issue). sender: the Agreement, now on signing with its slots.
agreement_issued = _facts.signal("agreement-issued")

# Sent by plans (approval.approve). sender: the Plan; kwargs: revision (the PlanRevision).
plan_approved = _facts.signal("plan-approved")

# Sent by matching (pairs.replace_mentor / pairs.reject_petition). sender: the Petition, now
# decided; kwargs: granted (bool).
petition_decided = _facts.signal("petition-decided")

# Sent by monitoring (campaigns: a campaign handing out questionnaires, a pair's entry or exit).
# sender: None; kwargs: assignments (the new Assignment rows, flushed). Notifications tells
# each respondent that a questionnaire waits for them.
questionnaires_assigned = _facts.signal("questionnaires-assigned")
