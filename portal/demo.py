"""Demo data: accounts for every role, then each area adds its part in dependency order."""

import random
from dataclasses import dataclass, field

from sqlalchemy import func, select

from portal.access import Role
from portal.accounts.models import User
from portal.accounts.service import create_user
from portal.agreements import demo as agreements_demo
from portal.communication import demo as communication_demo
from portal.extensions import db
from portal.matching import demo as matching_demo
from portal.monitoring import demo as monitoring_demo
from portal.notifications import demo as notifications_demo
from portal.people import demo as people_demo
from portal.plans import demo as plans_demo
from portal.programme import demo as programme_demo

DEFAULT_PASSWORD = "demo2026"

DEMO_ACCOUNTS = (
    ("admin", "Марина Татьяна Витальевна", (Role.ADMIN,)),
    ("curator", "Соколова Анна Викторовна", (Role.CURATOR,)),
    ("group", "Лебедев Игорь Николаевич", (Role.GROUP,)),
    ("mentor", "Кузнецова Елена Сергеевна", (Role.MENTOR,)),
    ("mentee", "Орлов Дмитрий Андреевич", (Role.MENTEE,)),
    ("parent", "Орлова Наталья Петровна", (Role.PARENT,)),
    ("mentor2", "Васильев Павел Олегович", (Role.MENTOR,)),
    ("mentee2", "Смирнова Алина Игоревна", (Role.MENTEE,)),
)

# Area seeders in the order their data depends on each other; each has seed(ctx).
AREA_SEEDERS = (
    people_demo,
    matching_demo,
    plans_demo,
    agreements_demo,
    monitoring_demo,
    programme_demo,
    communication_demo,
    notifications_demo,
)


@dataclass
class DemoContext:
    """What one area's seeder hands to the next: accounts, people and pairs by role name."""

    password: str
    people_count: int
    rng: random.Random
    users: dict[str, User] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def seed_demo(password: str = DEFAULT_PASSWORD, people: int = 300, seed: int = 2026) -> DemoContext:
    """Create the demo accounts and every area's demo data in one transaction."""
    ctx = DemoContext(password=password, people_count=people, rng=random.Random(seed))
    for login, full_name, roles in DEMO_ACCOUNTS:
        ctx.users[login], _ = create_user(login, full_name, roles, password=password)
    for area in AREA_SEEDERS:
        area.seed(ctx)
        db.session.flush()
    db.session.commit()
    return ctx
