"""One form per action on agreements."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileSize
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

REQUIRED = "Заполните поле."


class NewAgreementForm(FlaskForm):
    pair = SelectField("Пара или группа", validators=[InputRequired(REQUIRED)])


class DraftForm(FlaskForm):
    city = StringField("Город", validators=[DataRequired(REQUIRED), Length(max=100)])
    agreement_date = DateField(
        "Дата соглашения",
        validators=[InputRequired("Укажите дату.")],
        render_kw={"type": "date"},
    )
    months = IntegerField(
        "Срок действия, месяцев",
        validators=[
            InputRequired("Укажите срок."),
            NumberRange(1, 60, "Срок — от 1 до 60 месяцев."),
        ],
    )
    tasks = TextAreaField(
        "Задачи (п. 1.2), по одной в строке",
        validators=[DataRequired("Укажите хотя бы одну задачу."), Length(max=4000)],
    )
    mentor_representative = SelectField(
        "Законный представитель наставника", validators=[Optional()]
    )
    mentee_representative = SelectField(
        "Законный представитель наставляемого", validators=[Optional()]
    )


class SignForm(FlaskForm):
    slot = SelectField("Подписываю как", validators=[InputRequired(REQUIRED)])
    document_hash = HiddenField()
    password = PasswordField(
        "Пароль от учётной записи", validators=[DataRequired("Введите пароль.")]
    )


class HandoverForm(FlaskForm):
    document_kind = SelectField(
        "Документ, удостоверяющий личность", validators=[InputRequired("Выберите документ.")]
    )
    last_digits = StringField(
        "Последние 4 цифры номера",
        validators=[DataRequired(REQUIRED), Length(min=4, max=4, message="Ровно 4 цифры.")],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    checked = BooleanField(
        "Я сверил(а) лицо с фотографией и ФИО с реестром",
        validators=[DataRequired("Подтвердите, что личность проверена.")],
    )


class SignerKeyForm(FlaskForm):
    password = PasswordField(
        "Придумайте пароль",
        validators=[DataRequired("Введите пароль.")],
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        "Повторите пароль",
        validators=[DataRequired("Повторите пароль.")],
        render_kw={"autocomplete": "new-password"},
    )
    rules = BooleanField(
        "Я ознакомился(ась) с правилами простой электронной подписи, принимаю их "
        "и обязуюсь хранить пароль в тайне"
    )


class PaperSignForm(FlaskForm):
    signed_on = DateField(
        "Дата подписания на бумаге",
        validators=[InputRequired("Укажите дату.")],
        render_kw={"type": "date"},
    )
    scan = FileField(
        "Скан подписанного экземпляра (PDF, JPEG или PNG)",
        validators=[FileSize(10 * 1024 * 1024, message="Скан больше 10 МБ.")],
    )


class RulesForm(FlaskForm):
    accept = BooleanField(
        "Я прочитал(а) правила и принимаю их",
        validators=[DataRequired("Подтвердите, что принимаете правила.")],
    )
    next = HiddenField()


class DeclineForm(FlaskForm):
    slot = SelectField("Отказываюсь как", validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(
        "Причина отказа",
        validators=[
            DataRequired("Укажите причину отказа."),
            Length(min=5, max=2000, message="От 5 до 2000 символов."),
        ],
    )


class TerminateForm(FlaskForm):
    kind = SelectField("Основание", validators=[InputRequired("Выберите основание.")])
    reason = TextAreaField("Причина / описание нарушения", validators=[Length(max=2000)])


class ExtendForm(FlaskForm):
    months = IntegerField(
        "Продлить на, месяцев",
        validators=[InputRequired("Укажите срок."), NumberRange(1, 36, "От 1 до 36 месяцев.")],
    )


class TemplateForm(FlaskForm):
    body = TextAreaField("Текст шаблона", validators=[DataRequired(REQUIRED), Length(max=50000)])
    comment = StringField("Что изменено", validators=[Length(max=300)])


PEM_LIMIT = 64 * 1024  # a key or a certificate chain is a few kilobytes
PDF_LIMIT = 5 * 1024 * 1024  # a sealed agreement is well under a megabyte
PEM_TOO_BIG = "Файл слишком большой: ключ или сертификат в формате PEM — не больше 64 КБ."


class SealForm(FlaskForm):
    key = FileField(
        "Закрытый ключ (PEM, без пароля)", validators=[FileSize(PEM_LIMIT, message=PEM_TOO_BIG)]
    )
    certificate = FileField(
        "Сертификат (PEM)", validators=[FileSize(PEM_LIMIT, message=PEM_TOO_BIG)]
    )
    chain = FileField(
        "Цепочка промежуточных сертификатов (PEM, необязательно)",
        validators=[FileSize(PEM_LIMIT, message=PEM_TOO_BIG)],
    )


class VerifyForm(FlaskForm):
    file = FileField(
        "PDF-файл соглашения",
        validators=[
            FileSize(PDF_LIMIT, message="Файл слишком большой: проверяются PDF-файлы до 5 МБ.")
        ],
    )
    code = StringField("или код проверки", validators=[Length(max=40)])
