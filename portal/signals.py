"""The facts areas announce; higher areas (notifications, monitoring) listen.

A lower area sends, it never imports its listeners: `agreement_issued.send(agreement)`.
Receivers run inside the sender's transaction, so what they add commits or rolls back with it.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Agreement just frozen and put up for signatures.
agreement_issued = _signals.signal("agreement-issued")
# sender: the Plan; keyword `revision`: the PlanRevision just frozen.
plan_approved = _signals.signal("plan-approved")
# sender: the Petition once granted or rejected; keyword `granted`: bool.
petition_decided = _signals.signal("petition-decided")
