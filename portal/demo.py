"""Demo data: accounts for every role, then each area adds its part in dependency order."""

import random
from dataclasses import dataclass, field

from sqlalchemy import func, select

from portal.access import Role
from portal.accounts.models import User
from portal.extensions import db

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
    "people",
    "matching",
    "plans",
    "agreements",
    "programme",
    "communication",
    "notifications",
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
        user = User(login=login, must_change_password=False)
        user.set_full_name(full_name)
        user.set_password(password)
        user.set_roles(roles)
        db.session.add(user)
        ctx.users[login] = user
    db.session.flush()
    for area in AREA_SEEDERS:
        try:
            module = __import__(f"portal.{area}.demo", fromlist=["seed"])
        except ModuleNotFoundError as exc:
            if exc.name not in (f"portal.{area}", f"portal.{area}.demo"):
                raise
            continue
        module.seed(ctx)
        db.session.flush()
    db.session.commit()
    return ctx
