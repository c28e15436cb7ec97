"""The main menu: one list of entries, each shown to the roles that may open it."""

from dataclasses import dataclass

from flask import current_app
from flask_login import current_user

from portal.access import MANAGERS, STAFF, Role


@dataclass(frozen=True)
class NavItem:
    title: str
    endpoint: str
    roles: tuple[Role, ...]


NAV = (
    NavItem("Главная", "main.dashboard", tuple(Role)),
    NavItem("Наставляемые", "people.mentees", STAFF),
    NavItem("Наставники", "people.mentors", STAFF),
    NavItem("Подбор пар", "matching.index", MANAGERS),
    NavItem("Пары и группы", "matching.pairs", (*STAFF, Role.MENTOR, Role.MENTEE, Role.PARENT)),
    NavItem("Планы", "plans.index", (*STAFF, Role.MENTOR, Role.MENTEE, Role.PARENT)),
    NavItem("Соглашения", "agreements.index", (*MANAGERS, Role.MENTOR, Role.MENTEE, Role.PARENT)),
    NavItem("Мониторинг", "monitoring.index", (*MANAGERS, Role.GROUP)),
    NavItem("Мои анкеты", "monitoring.mine", (Role.MENTOR, Role.MENTEE)),
    NavItem("Программа", "programme.roadmaps", (*STAFF, Role.MENTOR)),
    NavItem("Медиаплан", "communication.media", STAFF),
    NavItem("Практики", "communication.practices", tuple(Role)),
    NavItem("Методическая помощь", "communication.help", tuple(Role)),
    NavItem("Пользователи", "accounts.users", MANAGERS),
    NavItem("Настройки", "settings.edit", (Role.ADMIN,)),
)


def visible_items() -> list[NavItem]:
    """Menu entries the current user may open, skipping areas not installed in this build."""
    if not current_user.is_authenticated:
        return []
    endpoints = current_app.view_functions
    return [i for i in NAV if i.endpoint in endpoints and current_user.has_any_role(i.roles)]
