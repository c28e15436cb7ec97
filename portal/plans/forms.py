"""Forms of the plans area; single-field saves are parsed by portal.plans.editing."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import choices
from portal.plans.models import MEETING_FORMATS


class NewItemForm(FlaskForm):
    title = StringField(
        "Новое мероприятие",
        validators=[DataRequired("Введите название мероприятия."), Length(max=300)],
    )


class ApproveForm(FlaskForm):
    version = HiddenField(validators=[InputRequired()])
    order_number = StringField(
        "Номер приказа", validators=[DataRequired("Укажите номер приказа."), Length(max=50)]
    )
    order_date = DateField("Дата приказа", validators=[InputRequired("Укажите дату приказа.")])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MeetingForm(FlaskForm):
    held_on = DateField("Дата встречи", validators=[InputRequired("Укажите дату встречи.")])
    format = SelectField("Формат", choices=choices(MEETING_FORMATS))
    topic = StringField("Тема", validators=[DataRequired("Укажите тему встречи."), Length(max=300)])
    summary = TextAreaField("Краткое содержание", validators=[Optional(), Length(max=4000)])
    attendees = MultiCheckboxField("Присутствовали наставляемые", coerce=int)
    items = MultiCheckboxField("Мероприятия плана, которым служила встреча", coerce=int)
