"""The administrator's settings screen."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal import audit
from portal.access import Role, roles_required
from portal.extensions import db
from portal.settings.models import SETTINGS, get_settings, save_settings

bp = Blueprint("settings", __name__)


def _settings_form():
    """Build the form from the list of settings, so adding a setting needs no form code."""

    class SettingsForm(FlaskForm):
        pass

    for s in SETTINGS:
        field = TextAreaField if s.multiline else StringField
        limit = 20000 if s.multiline else 500
        setattr(
            SettingsForm,
            s.key,
            field(
                s.label,
                validators=[
                    Optional() if s.optional else DataRequired("Заполните поле."),
                    Length(max=limit, message=f"Не длиннее {limit} символов."),
                ],
            ),
        )
    return SettingsForm


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit():
    form = _settings_form()(data=get_settings())
    if form.validate_on_submit():
        changes = save_settings(
            {s.key: (getattr(form, s.key).data or "").strip() for s in SETTINGS}
        )
        if changes:
            audit.record("settings_changed", "settings", None, changes)
        db.session.commit()
        flash("Настройки сохранены." if changes else "Изменений нет.", "success")
        return redirect(url_for("settings.edit"))
    status = 422 if request.method == "POST" else 200
    return render_template("settings/edit.html", form=form, settings=SETTINGS), status
