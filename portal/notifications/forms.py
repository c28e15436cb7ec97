"""The one form of the notifications page: the daily e-mail digest."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import Email, Length, Optional


class PreferenceForm(FlaskForm):
    email_digest = BooleanField("Присылать ежедневную сводку непрочитанных уведомлений на почту")
    email = EmailField(
        "Адрес для сводки",
        validators=[
            Optional(),
            Email("Укажите адрес электронной почты, например ivanova@example.ru."),
            Length(max=150, message="Не длиннее 150 символов."),
        ],
    )
