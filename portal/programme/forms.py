"""Forms of the programme area, one per action."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
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


class AppointmentForm(FlaskForm):
    kind = SelectField(
        "Назначение",
        choices=choices([("curator", "куратор"), ("group", "член рабочей группы")]),
    )
    user_id = SelectField(
        "Сотрудник", coerce=int, validators=[DataRequired("Выберите сотрудника.")]
    )
    order_number = StringField(
        "Номер приказа", validators=[DataRequired("Укажите номер приказа."), Length(max=50)]
    )
    order_date = DateField("Дата приказа", validators=[InputRequired("Укажите дату приказа.")])
    duties = TextAreaField("Обязанности", validators=[Optional(), Length(max=4000)])


class EndAppointmentForm(FlaskForm):
    ends_on = DateField("Дата прекращения", validators=[InputRequired("Укажите дату.")])
    end_order = StringField(
        "Приказ (номер и дата)",
        validators=[DataRequired("Укажите приказ."), Length(max=120)],
    )


class ApplicationForm(FlaskForm):
    last_name = StringField(
        "Фамилия", validators=[DataRequired("Укажите фамилию."), Length(max=100)]
    )
    first_name = StringField("Имя", validators=[DataRequired("Укажите имя."), Length(max=100)])
    middle_name = StringField("Отчество", validators=[Optional(), Length(max=100)])
    category = SelectField("Категория")
    workplace = StringField("Место работы или учёбы", validators=[Optional(), Length(max=250)])
    email = StringField("Электронная почта", validators=[Optional(), Length(max=150)])
    phone = StringField("Телефон", validators=[Optional(), Length(max=30)])
    competencies = TextAreaField(
        "Компетенции и достижения", validators=[DataRequired("Опишите компетенции.")]
    )
    motivation = TextAreaField("Мотивация", validators=[DataRequired("Опишите мотивацию.")])
    desired_mentees = TextAreaField(
        "Кого хотел(а) бы наставлять", validators=[Optional(), Length(max=2000)]
    )


class InterviewForm(FlaskForm):
    interview_on = DateField("Дата собеседования", validators=[InputRequired("Укажите дату.")])
    interview_note = TextAreaField(
        "Заметка о собеседовании", validators=[DataRequired("Напишите заметку.")]
    )


class DecisionForm(FlaskForm):
    accepted = RadioField(
        "Решение",
        choices=choices([("yes", "принять в базу наставников"), ("no", "отказать")]),
        validators=[InputRequired("Выберите решение.")],
    )
    reason = TextAreaField("Причина отказа", validators=[Optional(), Length(max=2000)])


class TrainingEventForm(FlaskForm):
    topic = StringField("Тема", validators=[DataRequired("Укажите тему."), Length(max=300)])
    programme = TextAreaField("Программа", validators=[Optional(), Length(max=8000)])
    held_on = DateField("Дата", validators=[InputRequired("Укажите дату.")])
    hours = IntegerField(
        "Часов",
        validators=[InputRequired("Укажите объём в часах."), NumberRange(1, 200, "От 1 до 200.")],
    )
    trainer = StringField("Кто проводит", validators=[DataRequired("Укажите, кто проводит.")])
    place = StringField(
        "Место или ссылка", validators=[DataRequired("Укажите место или ссылку."), Length(max=300)]
    )
    required = BooleanField("Обязательное для отметки «обучение пройдено»", default=True)
