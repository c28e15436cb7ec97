"""One form per monitoring action; WTForms gives its own Russian messages."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import choices
from portal.monitoring.models import PeriodKind, QuestionKind, Stage


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CampaignForm(FlaskForm):
    deadline = DateField("Срок (до 20 декабря или до 20 мая)", validators=[InputRequired()])
    forms = MultiCheckboxField("Формы наставничества", coerce=int)
    stages = MultiCheckboxField(
        "Этапы",
        choices=choices([(s.value, s.title) for s in Stage]),
        default=[s.value for s in Stage],
    )


class DeadlineForm(FlaskForm):
    deadline = DateField("Новый срок", validators=[InputRequired()])


class HeaderForm(FlaskForm):
    title = StringField("Название", validators=[DataRequired(), Length(max=250)])
    intro = TextAreaField("Обращение к участнику", validators=[Optional(), Length(max=2000)])
    anonymous = BooleanField("Анонимная анкета (результаты — только для групп от 3 человек)")


class QuestionForm(FlaskForm):
    text = TextAreaField("Вопрос", validators=[DataRequired(), Length(max=2000)])
    kind = SelectField("Тип ответа", choices=choices([(k.value, k.title) for k in QuestionKind]))
    options = TextAreaField(
        "Варианты ответа (каждый с новой строки)", validators=[Optional(), Length(max=4000)]
    )
    required = BooleanField("Обязательный вопрос", default=True)
    measure = StringField(
        "Показатель (одинаковый во входной и итоговой анкете)",
        validators=[Optional(), Length(max=40)],
    )
    section_id = SelectField("Раздел", coerce=int, validators=[Optional()])


class SectionForm(FlaskForm):
    title = StringField("Название раздела", validators=[DataRequired(), Length(max=250)])


class SwotForm(FlaskForm):
    strengths = TextAreaField("Сильные стороны (S)", validators=[Optional(), Length(max=5000)])
    weaknesses = TextAreaField("Слабые стороны (W)", validators=[Optional(), Length(max=5000)])
    opportunities = TextAreaField("Возможности (O)", validators=[Optional(), Length(max=5000)])
    threats = TextAreaField("Угрозы (T)", validators=[Optional(), Length(max=5000)])
    conclusions = TextAreaField("Выводы куратора", validators=[Optional(), Length(max=10000)])


class AnnualForm(FlaskForm):
    students_10_plus = IntegerField(
        "Обучающихся Центра 10 лет и старше (всего за год)",
        validators=[InputRequired(), NumberRange(min=1, max=1_000_000)],
    )


class AnnualOpenForm(FlaskForm):
    kind = SelectField("Период", choices=choices([(k.value, k.title) for k in PeriodKind]))
    year = IntegerField(
        "Год (для учебного — год его начала)",
        validators=[InputRequired(), NumberRange(min=2000, max=2100)],
    )


class SentForm(FlaskForm):
    sent_on = DateField("Дата отправки", validators=[InputRequired()])
