"""Creating accounts and granting roles: the one place for their rules, whoever asks (the
command line, the administrator's screen, the demo seeder)."""

from collections.abc import Iterable

from sqlalchemy import func, select

from portal import audit
from portal.access import Role
from portal.accounts.models import User
from portal.accounts.security import generate_one_time_password, password_problem
from portal.domain import RuleViolation
from portal.extensions import db


def grantable_roles(actor: User | None) -> list[Role]:
    """The roles the actor may grant: an administrator (or the command line, actor None) any;
    a curator every role but administrator."""
    if actor is None or actor.has_role(Role.ADMIN):
        return list(Role)
    return [r for r in Role if r is not Role.ADMIN]


def may_manage(actor: User | None, user: User) -> bool:
    """A curator does not manage administrators' accounts."""
    return not user.has_role(Role.ADMIN) or actor is None or actor.has_role(Role.ADMIN)


def normalise_login(login: str) -> str:
    return (login or "").strip().lower()


def login_taken(login: str) -> bool:
    query = select(func.count()).where(func.lower(User.login) == normalise_login(login))
    return bool(db.session.scalar(query))


def _check_roles(roles: Iterable[Role | str], actor: User | None) -> set[Role]:
    try:
        wanted = {Role(r) for r in roles}
    except ValueError as exc:
        raise RuleViolation("Неизвестная роль.") from exc
    if not wanted:
        raise RuleViolation("Выберите хотя бы одну роль.")
    refused = wanted - set(grantable_roles(actor))
    if refused:
        titles = ", ".join(f"«{r.title}»" for r in sorted(refused))
        raise RuleViolation(f"Роль {titles} может назначить только администратор.")
    return wanted


def create_user(
    login: str,
    full_name: str,
    roles: Iterable[Role | str],
    *,
    password: str | None = None,
    actor: User | None = None,
    person_id: int | None = None,
) -> tuple[User, str]:
    """Create an account; return it with its password (flushed, not committed).

    Without ``password`` a one-time password is generated and must be changed at first login
    (the screen shows it once on a slip); a given password is checked against the policy and
    kept. The login is unique regardless of case. RuleViolation carries the Russian reason.
    """
    login = normalise_login(login)
    if not login:
        raise RuleViolation("Введите логин.")
    if login_taken(login):
        raise RuleViolation(f"Логин «{login}» уже занят.")
    if not (full_name or "").strip():
        raise RuleViolation("Введите ФИО.")
    wanted = _check_roles(roles, actor)
    temporary = password is None
    if temporary:
        password = generate_one_time_password()
    else:
        problem = password_problem(password, login)
        if problem:
            raise RuleViolation(problem)
    user = User(login=login, must_change_password=temporary, person_id=person_id)
    user.set_full_name(full_name)
    user.set_password(password)
    user.set_roles(wanted)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user_created",
        "user",
        user.id,
        {"login": [None, login], "roles": [None, sorted(r.value for r in wanted)]},
        actor=actor,
    )
    return user, password


def set_roles(user: User, roles: Iterable[Role | str], *, actor: User | None) -> None:
    """Give the user these roles; roles the actor may not grant stay as they were (an
    administrator's role under a curator's edit)."""
    kept = [r for r in user.roles if r not in grantable_roles(actor)]
    wanted = _check_roles(roles, actor) if roles else set()
    if not wanted and not kept:
        raise RuleViolation("Выберите хотя бы одну роль.")
    user.set_roles([*wanted, *kept])
