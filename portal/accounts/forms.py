"""One form per account action."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.access import Role
from portal.accounts.security import password_problem
from portal.forms import choices


class LoginForm(FlaskForm):
    login = StringField("Логин", validators=[DataRequired("Введите логин.")])
    password = PasswordField("Пароль", validators=[DataRequired("Введите пароль.")])
    remember = BooleanField("Запомнить меня на этом компьютере")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Текущий пароль", validators=[DataRequired("Введите текущий пароль.")])
    new = PasswordField("Новый пароль", validators=[DataRequired("Введите новый пароль.")])
    repeat = PasswordField(
        "Повторите новый пароль",
        validators=[
            DataRequired("Повторите новый пароль."),
            EqualTo("new", "Пароли не совпадают."),
        ],
    )

    def __init__(self, login: str = "", **kwargs):
        super().__init__(**kwargs)
        self._login = login

    def validate_new(self, field):
        problem = password_problem(field.data or "", self._login)
        if problem:
            raise ValidationError(problem)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


LOGIN_VALIDATORS = [
    DataRequired("Введите логин."),
    Length(3, 40, "Логин — от 3 до 40 символов."),
    Regexp(
        r"^[a-zA-Z0-9._-]+$",
        message="Логин — латинские буквы, цифры, точка, дефис, подчёркивание.",
    ),
]


class PersonAccountForm(FlaskForm):
    """An account for a person: the login is proposed, the name comes from the record."""

    login = StringField("Логин", validators=LOGIN_VALIDATORS)
    roles = MultiCheckboxField("Роли", choices=choices((r.value, r.title) for r in Role))

    def __init__(self, *, grantable: list[Role], **kwargs):
        super().__init__(**kwargs)
        self.roles.choices = choices((r.value, r.title) for r in grantable)

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError("Выберите хотя бы одну роль.")


class UserForm(FlaskForm):
    login = StringField(
        "Логин",
        validators=[
            DataRequired("Введите логин."),
            Length(3, 40, "Логин — от 3 до 40 символов."),
            Regexp(
                r"^[a-zA-Z0-9._-]+$",
                message="Логин — латинские буквы, цифры, точка, дефис, подчёркивание.",
            ),
        ],
    )
    full_name = StringField(
        "ФИО", validators=[DataRequired("Введите ФИО."), Length(max=200, message="Не длиннее 200.")]
    )
    roles = MultiCheckboxField("Роли", choices=choices((r.value, r.title) for r in Role))

    def __init__(self, *, grantable: list[Role], **kwargs):
        super().__init__(**kwargs)
        self.roles.choices = choices((r.value, r.title) for r in grantable)

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError("Выберите хотя бы одну роль.")
