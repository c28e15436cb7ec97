"""Creating accounts and granting roles: the one place for their rules, whoever asks (the
command line, the administrator's screen, the demo seeder)."""

import re
from collections.abc import Iterable

import iuliia
from sqlalchemy import func, select

from portal import audit
from portal.access import Role
from portal.accounts.models import User
from portal.accounts.security import generate_one_time_password, password_problem
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.models import Person
from portal.relations import children_clause, forget_relations


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


# --- Accounts of people -------------------------------------------------------------------------
#
# A person (mentor, mentee, legal representative) gets at most one account; what the account may
# see follows from the person's relations (portal.relations reads ``User.person_id`` on every
# request), so linking or unlinking changes access at once, with nothing else to update.

# The passport standard (ICAO Doc 9303, МВД приказ № 889 of 2013): the spelling people already
# have in their foreign passports, plain ASCII letters with no apostrophes, so it fits a login.
_LOGIN_SCHEMA = iuliia.ICAO_DOC_9303
_LOGIN_JUNK = re.compile(r"[^a-z0-9]+")
PERSON_ROLES = (Role.MENTOR, Role.MENTEE, Role.PARENT)


def transliterate(text: str) -> str:
    """Latin letters for a Russian name, by the passport standard."""
    return _LOGIN_SCHEMA.translate(text or "")


def propose_login(last_name: str, first_name: str = "", middle_name: str = "") -> str:
    """«Кузнецова Елена Сергеевна» → ``kuznetsova.es``; a free one (``kuznetsova.es2`` …)."""
    last = _LOGIN_JUNK.sub("", transliterate(last_name).lower()) or "user"
    initials = "".join(
        _LOGIN_JUNK.sub("", transliterate(part).lower())[:1] for part in (first_name, middle_name)
    )
    base = f"{last}.{initials}" if initials else last
    base = base[:36]
    candidate, n = base, 1
    while login_taken(candidate):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def roles_for_person(person: Person) -> set[Role]:
    """The roles a person's record implies: in the base of mentors or mentees, or the legal
    representative of someone."""
    roles = set()
    if person.is_mentor:
        roles.add(Role.MENTOR)
    if person.is_mentee:
        roles.add(Role.MENTEE)
    if db.session.scalar(select(func.count()).select_from(children_clause(person.id).subquery())):
        roles.add(Role.PARENT)
    return roles


def account_of(person: Person) -> User | None:
    return db.session.scalar(select(User).where(User.person_id == person.id))


def _require_free(person: Person, user: User | None = None) -> None:
    holder = account_of(person)
    if holder is not None and holder is not user:
        raise RuleViolation(
            f"У человека {person.full_name} уже есть учётная запись «{holder.login}»: "
            "у одного человека — не больше одной."
        )


def create_account_for(
    person: Person, login: str, roles: Iterable[Role | str] | None = None, *, actor: User | None
) -> tuple[User, str]:
    """An account for the person with a temporary password and the roles that follow from
    the record (or the ones chosen)."""
    _require_free(person)
    if person.anonymised_at is not None:
        raise RuleViolation("Запись обезличена: учётную запись для неё не создать.")
    wanted = set(roles) if roles else roles_for_person(person)
    if not wanted:
        raise RuleViolation(
            "Человек не наставник, не наставляемый и не законный представитель: "
            "отметьте, в какой он базе, или выберите роль."
        )
    user, password = create_user(login, person.full_name, wanted, actor=actor, person_id=person.id)
    audit.record(
        "account_linked",
        "person",
        person.id,
        {"account": [None, user.login]},
        f"Создана учётная запись {user.login}",
        actor=actor,
    )
    forget_relations()
    return user, password


def link_person(user: User, person: Person, *, actor: User | None) -> None:
    """Link an existing account to a person; the account gains the roles the person implies."""
    if user.person_id == person.id:
        return
    if user.person_id is not None:
        raise RuleViolation(
            f"Учётная запись «{user.login}» уже связана с другим человеком: сначала отвяжите её."
        )
    _require_free(person, user)
    if person.anonymised_at is not None:
        raise RuleViolation("Запись обезличена: связать с ней учётную запись нельзя.")
    before = sorted(r.value for r in user.roles)
    user.person_id = person.id
    user.set_roles(user.roles | roles_for_person(person))
    db.session.flush()
    changes = {
        "person_id": [None, person.id],
        "roles": [before, sorted(r.value for r in user.roles)],
    }
    audit.record(
        "user_linked", "user", user.id, changes, f"Связана с {person.full_name}", actor=actor
    )
    audit.record(
        "account_linked",
        "person",
        person.id,
        {"account": [None, user.login]},
        f"Связана учётная запись {user.login}",
        actor=actor,
    )
    forget_relations()


def unlink_person(user: User, *, actor: User | None) -> None:
    """Unlink the account from its person: it loses at once every pair, agreement and plan it
    saw through the person (the roles stay; without a person they grant nothing)."""
    if user.person_id is None:
        return
    person_id = user.person_id
    login = user.login
    user.person_id = None
    db.session.flush()
    audit.record("user_unlinked", "user", user.id, {"person_id": [person_id, None]}, actor=actor)
    audit.record(
        "account_unlinked",
        "person",
        person_id,
        {"account": [login, None]},
        f"Отвязана учётная запись {login}",
        actor=actor,
    )
    forget_relations()
