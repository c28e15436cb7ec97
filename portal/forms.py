"""Forms shared by every area."""

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

# Every form speaks Russian with WTForms' own translations («Неверный вариант.» rather than
# «Not a valid choice.»). Flask-WTF's i18n needs Flask-Babel, which the portal does not use,
# so WTF_I18N_ENABLED is off and WTForms picks the catalogue by these locales.
FlaskForm.Meta.locales = ("ru_RU", "ru")


class EmptyForm(FlaskForm):
    """A button-only POST still carries the CSRF token."""


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 wants them; plain strings label themselves."""
    return [
        SelectChoice(p) if isinstance(p, str) else SelectChoice(str(p[0]), str(p[1])) for p in pairs
    ]
