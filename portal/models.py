"""Every model module, imported in one place so metadata and migrations see all tables."""

from portal.accounts.models import User, UserRole  # noqa: F401
from portal.audit import AuditEvent  # noqa: F401
from portal.communication.models import MediaChannel, MediaItem  # noqa: F401
from portal.matching.models import MentorshipForm, Pair, PairMember  # noqa: F401
from portal.monitoring.models import (  # noqa: F401
    AnnualReport,
    Answer,
    Assignment,
    Campaign,
    Question,
    Questionnaire,
    QuestionSection,
)
from portal.people.models import Consent, Person, PersonTag, Representative, Tag  # noqa: F401
from portal.settings.models import Setting  # noqa: F401
