"""Helpers to walk the app's URL map: every route with placeholder arguments filled in."""

from flask import Flask
from werkzeug.routing import Rule

from portal.access import PUBLIC_ENDPOINTS

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def sample_args(rule: Rule) -> dict:
    """Fill every URL variable with something plausible; the object need not exist."""
    args = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        kind = type(converter).__name__ if converter else ""
        args[name] = 1 if kind in ("IntegerConverter", "NumberConverter") else "x"
    return args


def build_path(rule: Rule) -> str:
    path = rule.rule
    for name, value in sample_args(rule).items():
        path = path.replace(f"<{name}>", str(value))
        for conv in ("int", "string", "path", "uuid", "float"):
            path = path.replace(f"<{conv}:{name}>", str(value))
    return path


def guarded_rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in PUBLIC_ENDPOINTS),
        key=lambda r: r.rule,
    )


def methods(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods if m not in {"HEAD", "OPTIONS"})
