"""Roles and the one decorator through which every view declares who may call it."""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from flask import abort, current_app
from flask_login import current_user


class Role(StrEnum):
    ADMIN = "admin"
    CURATOR = "curator"
    GROUP = "group"
    MENTOR = "mentor"
    MENTEE = "mentee"
    PARENT = "parent"

    @property
    def title(self) -> str:
        return ROLE_TITLES[self]


ROLE_TITLES = {
    Role.ADMIN: "Администратор",
    Role.CURATOR: "Куратор",
    Role.GROUP: "Рабочая группа",
    Role.MENTOR: "Наставник",
    Role.MENTEE: "Наставляемый",
    Role.PARENT: "Законный представитель",
}

ALL_ROLES = tuple(Role)
STAFF = (Role.ADMIN, Role.CURATOR, Role.GROUP)
MANAGERS = (Role.ADMIN, Role.CURATOR)

# Endpoints anyone may reach without logging in; everything else needs a declared role set.
# The signer's kiosk screen is one: it opens only with a hand-over token that a curator's
# identity check put into that browser's session (after signing the curator out of it).
PUBLIC_ENDPOINTS = frozenset({"static", "accounts.login", "main.healthz", "agreements.signer_key"})


def roles_required(*roles: Role) -> Callable:
    """Admit a logged-in, active user holding at least one of the roles; 403 otherwise."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_any_role(allowed):
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def ensure(condition: bool) -> None:
    """Refuse the request with 403 unless an object-level check holds."""
    if not condition:
        abort(403)
