"""Forms of the communication area: one per action."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from portal.communication.statuses import (
    ConsultationKind,
    ContactKind,
    DisseminationKind,
    MediaKind,
    MessageStage,
)
from portal.forms import choices
from portal.plans.forms import MultiCheckboxField


class MediaItemForm(FlaskForm):
    kind = SelectField("Вид", choices=choices((k.value, k.title) for k in MediaKind))
    title = StringField(
        "Заголовок или тема", validators=[DataRequired("Укажите тему."), Length(max=250)]
    )
    channel_id = SelectField("Канал", coerce=int, validators=[InputRequired("Выберите канал.")])
    event_title = StringField("Событие", validators=[Optional(), Length(max=250)])
    event_on = DateField("Дата события", validators=[Optional()])
    planned_on = DateField(
        "Плановая дата публикации", validators=[InputRequired("Укажите плановую дату.")]
    )
    responsible_id = SelectField("Ответственный", coerce=int)
    target_group_id = SelectField("Целевая группа (стратегия)", coerce=int)
    message = TextAreaField("Ключевое сообщение", validators=[Optional(), Length(max=2000)])
    text = TextAreaField("Текст (для лонгрида — больше 2000 знаков)", validators=[Optional()])
    people = SelectMultipleField("Участники, которых материал называет или показывает", coerce=int)


class PublishForm(FlaskForm):
    published_on = DateField("Дата публикации", validators=[InputRequired("Укажите дату.")])
    link = StringField(
        "Ссылка на материал",
        validators=[
            DataRequired("Укажите ссылку на опубликованный материал."),
            URL(message="Ссылка должна начинаться с http:// или https://."),
            Length(max=500),
        ],
    )


class ChannelForm(FlaskForm):
    name = StringField(
        "Название канала", validators=[DataRequired("Укажите название."), Length(max=120)]
    )
    monthly = BooleanField("Обновлять не реже раза в месяц", default=True)


class TargetGroupForm(FlaskForm):
    name = StringField(
        "Целевая группа", validators=[DataRequired("Укажите название."), Length(max=150)]
    )
    description = TextAreaField(
        "Кто это и что им выгодно", validators=[Optional(), Length(max=2000)]
    )


class MessageForm(FlaskForm):
    target_group_id = SelectField("Целевая группа", coerce=int, validators=[InputRequired()])
    stage = SelectField("Этап", choices=choices((s.value, s.title) for s in MessageStage))
    text = TextAreaField(
        "Сообщение", validators=[DataRequired("Напишите сообщение."), Length(max=2000)]
    )
    channels = StringField("Каналы", validators=[Optional(), Length(max=300)])


class DisseminationForm(FlaskForm):
    held_on = DateField("Дата", validators=[InputRequired("Укажите дату.")])
    kind = SelectField("Вид", choices=choices((k.value, k.title) for k in DisseminationKind))
    title = StringField(
        "Мероприятие", validators=[DataRequired("Укажите, что было."), Length(max=250)]
    )
    target_group_id = SelectField("Целевая группа", coerce=int)
    channel_id = SelectField("Канал", coerce=int)
    audience = StringField("Аудитория", validators=[Optional(), Length(max=300)])
    reach = IntegerField(
        "Охват, человек",
        validators=[
            InputRequired("Укажите охват."),
            NumberRange(min=0, message="Охват не может быть отрицательным."),
        ],
    )
    materials = TextAreaField("Материалы", validators=[Optional(), Length(max=4000)])


class PracticeForm(FlaskForm):
    title = StringField(
        "Название практики", validators=[DataRequired("Укажите название."), Length(max=250)]
    )
    form_id = SelectField("Форма наставничества", coerce=int)
    year = IntegerField(
        "Год",
        validators=[
            InputRequired("Укажите год."),
            NumberRange(min=2000, max=2100, message="Год от 2000 до 2100."),
        ],
    )
    formats = MultiCheckboxField("Использованные форматы (Приложение № 4)")
    problem = TextAreaField("Проблема", validators=[Optional(), Length(max=4000)])
    actions = TextAreaField("Что сделано", validators=[Optional(), Length(max=8000)])
    results = TextAreaField(
        "Результаты и их подтверждение (мониторинг, план)",
        validators=[Optional(), Length(max=8000)],
    )
    materials = TextAreaField("Материалы", validators=[Optional(), Length(max=4000)])
    authors = StringField("Авторы", validators=[Optional(), Length(max=500)])
    people = SelectMultipleField("Участники, которых практика называет", coerce=int)
    public = BooleanField("Открыть для всех пользователей портала (нужны согласия на публикацию)")
    pair_id = HiddenField()


class ContestForm(FlaskForm):
    title = StringField("Конкурс", validators=[DataRequired("Укажите название."), Length(max=250)])
    organiser = StringField(
        "Организатор", validators=[DataRequired("Укажите организатора."), Length(max=250)]
    )
    applications_until = DateField(
        "Приём заявок до", validators=[InputRequired("Укажите срок приёма заявок.")]
    )
    results_by = DateField("Итоги до", validators=[Optional()])
    link = StringField(
        "Ссылка на положение",
        validators=[
            Optional(),
            URL(message="Ссылка должна начинаться с http:// или https://."),
            Length(max=500),
        ],
    )
    nominations = TextAreaField(
        "Номинации, по одной в строке", validators=[DataRequired("Укажите номинации.")]
    )


class EntryForm(FlaskForm):
    practice_id = SelectField("Практика", coerce=int)
    nomination_id = SelectField("Номинация", coerce=int)
    files = MultipleFileField("Пакет документов заявки")


class ResultForm(FlaskForm):
    result = StringField(
        "Результат", validators=[DataRequired("Укажите результат."), Length(max=300)]
    )


class ProfileForm(FlaskForm):
    phone = StringField("Телефон", validators=[Optional(), Length(max=30)])
    messenger = StringField("Мессенджер или соцсеть", validators=[Optional(), Length(max=150)])
    email = StringField(
        "Электронная почта",
        validators=[Optional(), Email("Проверьте адрес почты."), Length(max=150)],
    )
    profile_url = StringField(
        "Профиль педагога",
        validators=[
            Optional(),
            URL(message="Ссылка должна начинаться с http:// или https://."),
            Length(max=500),
        ],
    )
    hours = StringField("Часы консультаций", validators=[Optional(), Length(max=300)])


class RequestForm(FlaskForm):
    student_id = SelectField("Обучающийся", coerce=int)
    teacher_id = SelectField("Педагог", coerce=int)
    topic = TextAreaField(
        "Тема консультации",
        validators=[DataRequired("Опишите, с чем нужна помощь."), Length(max=2000)],
    )
    channel = SelectField(
        "Удобный способ связи", choices=choices((c.value, c.title) for c in ContactKind)
    )
    preferred_time = StringField("Удобное время", validators=[Optional(), Length(max=200)])


class AnswerForm(FlaskForm):
    answer = TextAreaField("Ответ", validators=[DataRequired("Напишите ответ."), Length(max=4000)])


class ScheduleForm(FlaskForm):
    kind = SelectField(
        "Консультация", choices=choices((k.value, k.title) for k in ConsultationKind)
    )
    held_on = DateField("Дата", validators=[InputRequired("Укажите дату.")])
    at = StringField(
        "Время",
        validators=[
            InputRequired("Укажите время."),
            Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message="Время в виде 16:30."),
        ],
    )
    channel = SelectField("Способ связи", choices=choices((c.value, c.title) for c in ContactKind))
    where = StringField("Ссылка или место", validators=[Optional(), Length(max=300)])
    others = MultiCheckboxField("Для групповой: другие запросы к вам", coerce=int)


class MaterialForm(FlaskForm):
    club = SelectField("Объединение")
    title = StringField("Материал", validators=[DataRequired("Укажите название."), Length(max=250)])
    link = StringField(
        "Ссылка",
        validators=[
            DataRequired("Укажите ссылку."),
            URL(message="Ссылка должна начинаться с http:// или https://."),
            Length(max=500),
        ],
    )
    description = TextAreaField("Для чего", validators=[Optional(), Length(max=2000)])
