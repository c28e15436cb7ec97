"""Forms of the matching area: one FlaskForm per action."""

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
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.forms import choices
from portal.matching.score import MAX_WEIGHT
from portal.people.models import CATEGORIES

REQUIRED = "Заполните это поле."


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False, html_tag="ul")
    option_widget = CheckboxInput()


class MentorshipFormForm(FlaskForm):
    code = StringField(
        "Код",
        validators=[DataRequired(REQUIRED), Length(max=40)],
        description="Латиницей, без пробелов: teacher-student.",
    )
    name = StringField("Название", validators=[DataRequired(REQUIRED), Length(max=150)])
    scope = SelectField(
        "Уровень", choices=choices([("local", "форма Центра"), ("federal", "федеральная форма")])
    )
    reported_as = SelectField("В отчётах учитывается как", validators=[Optional()])
    mentor_categories = MultiCheckboxField(
        "Кто может быть наставником",
        choices=choices(list(CATEGORIES)),
        validators=[DataRequired("Отметьте хотя бы одну категорию наставников.")],
    )
    mentee_categories = MultiCheckboxField(
        "Кто может быть наставляемым",
        choices=choices(list(CATEGORIES)),
        validators=[DataRequired("Отметьте хотя бы одну категорию наставляемых.")],
    )
    mentor_higher_level = BooleanField("Наставник учится на более высокой ступени (класс выше)")
    min_mentee_age = IntegerField(
        "Минимальный возраст наставляемого", validators=[Optional(), NumberRange(5, 99)]
    )
    description = TextAreaField("Кто участвует", validators=[Optional(), Length(max=2000)])
    goal = TextAreaField("Цель", validators=[DataRequired(REQUIRED), Length(max=3000)])
    tasks = TextAreaField("Задачи", validators=[Optional(), Length(max=5000)])
    formats = TextAreaField(
        "Примерные форматы работы (по одному в строке)", validators=[Optional(), Length(max=5000)]
    )
    documents = TextAreaField("Документы организации", validators=[Optional(), Length(max=2000)])
    active = BooleanField("Форма действует (в ней формируются новые пары)", default=True)

    def validate_code(self, field):
        value = (field.data or "").strip()
        if not value.replace("-", "").replace("_", "").isascii() or " " in value:
            raise ValidationError("Код — латинские буквы, цифры и дефис, без пробелов.")

    def format_list(self) -> list[str]:
        data = self.formats.data or ""
        raw = data if isinstance(data, list) else data.splitlines()
        lines = [line.strip(" ;•-\t") for line in raw]
        return [line for line in lines if line]


_WEIGHT = [Optional(), NumberRange(0, MAX_WEIGHT, "От 0 до %(max)s.")]


class WeightsForm(FlaskForm):
    request = IntegerField("Ключевой запрос ↔ компетенции наставника", validators=_WEIGHT)
    interests = IntegerField("Общие интересы", validators=_WEIGHT)
    age = IntegerField("Возраст в желаемом диапазоне наставника", validators=_WEIGHT)
    club = IntegerField("То же объединение", validators=_WEIGHT)
    format = IntegerField("Формат и время общения", validators=_WEIGHT)

    NAMES = ("request", "interests", "age", "club", "format")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for name in self.NAMES:
            if getattr(self, name).data is None and not getattr(self, name).errors:
                getattr(self, name).errors.append("Укажите вес (целое число от 0).")
                ok = False
        if ok and sum(getattr(self, n).data for n in self.NAMES) == 0:
            self.form_errors.append("Хотя бы один вес должен быть больше нуля.")
            ok = False
        return ok

    def values(self) -> dict[str, int]:
        return {name: getattr(self, name).data for name in self.NAMES}


class ChangeItemForm(FlaskForm):
    mentor_id = SelectField("Другой наставник", validators=[DataRequired("Выберите наставника.")])
    reason = TextAreaField(
        "Причина замены",
        validators=[
            DataRequired("Укажите причину: замена предложения сохраняется в журнале."),
            Length(max=1000),
        ],
    )


class EndPairForm(FlaskForm):
    text = TextAreaField("Текст", validators=[DataRequired(REQUIRED), Length(max=3000)])
    ended_on = DateField("Дата", validators=[Optional()])


class AddMemberForm(FlaskForm):
    mentee_id = SelectField(
        "Добавить наставляемого в группу", validators=[DataRequired("Выберите наставляемого.")]
    )


class RemoveMemberForm(FlaskForm):
    reason = StringField("Причина", validators=[DataRequired("Укажите причину."), Length(max=500)])


class CaseUrlForm(FlaskForm):
    case_url = StringField(
        "Ссылка на кейс или отзыв на сайте",
        validators=[Optional(), URL(message="Введите адрес вида https://…"), Length(max=500)],
    )


class PetitionForm(FlaskForm):
    mentee_id = SelectField("Наставляемый", validators=[DataRequired("Выберите наставляемого.")])
    filed_on = DateField("Дата ходатайства", validators=[DataRequired("Укажите дату.")])
    reason = TextAreaField(
        "Причина", validators=[DataRequired("Укажите причину."), Length(max=2000)]
    )


class OwnPetitionForm(FlaskForm):
    mentee_id = SelectField("За кого", validators=[DataRequired("Выберите наставляемого.")])
    reason = TextAreaField(
        "Почему нужна замена наставника",
        validators=[DataRequired("Укажите причину."), Length(max=2000)],
    )


class ResolvePetitionForm(FlaskForm):
    mentor_id = SelectField("Новый наставник", validators=[Optional()])
    note = TextAreaField("Решение / комментарий", validators=[Optional(), Length(max=2000)])


class AcceptItemsForm(FlaskForm):
    """Accept the checked items of a cohort proposal, or all of them."""

    all = BooleanField("Принять все")
    item = SelectMultipleField("Пары", coerce=int, validate_choice=True)

    def __init__(self, item_ids, **kwargs):
        super().__init__(**kwargs)
        self.item.choices = [(i, str(i)) for i in item_ids]
