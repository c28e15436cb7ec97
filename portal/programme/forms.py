"""Forms of the programme area, one per action."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import choices
from portal.programme.models import ActivityStatus, Stage


class NewYearForm(FlaskForm):
    year = IntegerField(
        "Учебный год начинается в",
        validators=[
            InputRequired("Укажите год."),
            NumberRange(2020, 2100, "Год — от 2020 до 2100."),
        ],
    )
    source = RadioField(
        "Основа",
        choices=choices(
            [
                ("template", "шаблон Целевой модели (этапы и типовые мероприятия)"),
                ("previous", "дорожная карта прошлого года (сроки сдвигаются на год)"),
            ]
        ),
        default="template",
        validators=[InputRequired("Выберите основу.")],
    )


class ActivityForm(FlaskForm):
    stage = SelectField("Этап", choices=choices((s.value, s.title) for s in Stage))
    title = TextAreaField(
        "Мероприятие",
        validators=[
            DataRequired("Опишите мероприятие."),
            Length(max=400, message="Не длиннее 400 символов."),
        ],
    )
    responsible_id = SelectField(
        "Ответственный", coerce=int, validators=[DataRequired("Укажите ответственного.")]
    )
    deadline = DateField("Срок", validators=[InputRequired("Укажите срок мероприятия.")])
    status = SelectField("Статус", choices=choices((s.value, s.title) for s in ActivityStatus))
    result = TextAreaField("Результат", validators=[Optional(), Length(max=4000)])
    evidence_url = StringField(
        "Подтверждение: ссылка",
        validators=[Optional(), Length(max=500, message="Не длиннее 500 символов.")],
    )
    evidence = FileField("или файл (PDF, изображение, документ до 10 МБ)")


class ApprovalForm(FlaskForm):
    order_number = StringField(
        "Номер приказа",
        validators=[DataRequired("Укажите номер приказа."), Length(max=50)],
    )
    order_date = DateField("Дата приказа", validators=[InputRequired("Укажите дату приказа.")])
