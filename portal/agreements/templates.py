"""The text of Приложение № 3 as a versioned Jinja template, and the text of an extension."""

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from sqlalchemy import func, select

from portal.agreements.models import AgreementTemplate
from portal.domain import RuleViolation
from portal.extensions import db

# Plain text, not HTML: the frozen text is what is hashed and signed. A blank line
# separates paragraphs; the PDF and the page lay them out.
DEFAULT_BODY = """\
Приложение № 3
к Положению о наставничестве
в {{ org_short_name }}

СОГЛАШЕНИЕ № {{ number }}
о сотрудничестве между наставником и наставляемым

г. {{ city }}{{ "\\t" }}{{ date_text }}

Данное соглашение устанавливает отношения между Наставником — {{ mentor_party }} \
(далее — Наставник/родитель (законный представитель) Наставника) и Наставляемым — \
{{ mentee_party }} (далее — Наставляемый/родитель (законный представитель) Наставляемого), \
совместно именуемыми «Стороны», в связи с их участием \
в реализации методологии (Целевой модели) наставничества обучающихся организаций, \
осуществляющих образовательную деятельность по дополнительным общеобразовательным программам \
(далее — Целевая модель наставничества) на базе {{ org_short_name }} (далее — Организация).

1. Предмет соглашения

1.1. Стороны договорились об участии в реализации Целевой модели наставничества через \
организацию комплекса мероприятий в рамках деятельности наставнической пары (группы).

1.2. Стороны определили следующие задачи:
{% for task in tasks %}
— {{ task }}{% if not loop.last %};{% else %}.{% endif %}
{% endfor %}

2. Права и обязанности Сторон

2.1. Наставник обязан:

2.1.1. Разрабатывать индивидуальный план — комплекс мероприятий в рамках организации работы \
наставнической пары/группы. Участвовать в реализации Дорожной карты внедрения Целевой модели \
наставничества образовательной организации (далее — Дорожная карта) в рамках компетенции.

2.1.2. Регулярно посещать образовательные события, организованные в рамках обучения наставников.

2.1.3. Оказывать всестороннюю помощь и поддержку наставляемому.

2.1.4. Предоставлять результаты наставнической работы по запросу куратора.

2.1.5. Способствовать развитию информационного освещения реализации системы наставничества \
в образовательной организации.

2.1.6. Внимательно и уважительно относиться к наставляемому.

2.2. Наставник имеет право:

2.2.1. Способствовать своевременному и качественному выполнению поставленных задач наставляемым.

2.2.2. Совместно с куратором определять формы работы с наставляемым.

2.2.3. Принимать участие в обсуждениях и мероприятиях, направленных на развитие системы \
наставничества в образовательной организации.

2.2.4. Вносить предложения куратору и руководителю образовательной организации по внесению \
изменений в Дорожную карту.

2.2.5. Привлекать других специалистов для расширения компетенций наставляемого.

2.3. Наставляемый обязан:

2.3.1. Регулярно посещать встречи, образовательные события в соответствии с индивидуальным планом.

2.3.2. Выполнять своевременно и качественно задачи, поставленные наставником.

2.3.3. Внимательно и уважительно относиться к наставнику и другим участникам наставнической группы.

2.4. Наставляемый имеет право:

2.4.1. Вносить предложения в индивидуальный план обучения в рамках организации работы \
наставнической пары/группы.

2.4.2. Принимать участие в обсуждениях и мероприятиях, направленных на развитие системы \
наставничества в образовательной организации.

2.4.3. В индивидуальном порядке обращаться к наставнику за советом, помощью по волнующим вопросам.

2.4.4. При невозможности установления личного контакта с наставником выходить с ходатайством \
к директору образовательной организации о замене наставника.

3. Заключительные положения

3.1. Настоящее Соглашение заключено Сторонами в форме бумажного документа в двух экземплярах, \
по одному экземпляру для каждой из Сторон, либо, если в Организации утверждены Правила \
использования простой электронной подписи, в форме электронного документа, подписанного \
простыми электронными подписями Сторон на портале наставничества {{ org_short_name }}; \
копия Соглашения хранится в Организации.

3.2. Расторжение настоящего Соглашения осуществляется по соглашению Сторон.

3.3. Расторжение настоящего Соглашения в одностороннем порядке осуществляется в случае \
систематического нарушения условий п. 2 настоящего Соглашения.

3.4. Настоящее Соглашение вступает в силу со дня его подписания и действует на протяжении \
{{ months }} {{ months_word }}.

3.5. По истечении срока действия Соглашения срок может быть продлён по взаимному соглашению Сторон.

Подписи Сторон
{% for slot in signers %}
{{ slot.role_label }}: {{ slot.name }}
{% endfor %}
"""

EXTENSION_BODY = """\
ДОПОЛНИТЕЛЬНОЕ СОГЛАШЕНИЕ № {{ number }}
о продлении соглашения о сотрудничестве между наставником и наставляемым № {{ parent_number }} \
от {{ parent_date }}

г. {{ city }}{{ "\\t" }}{{ date_text }}

{{ mentor_party }} (далее — Наставник/родитель (законный представитель) Наставника) и \
{{ mentee_party }} (далее — Наставляемый/родитель (законный представитель) Наставляемого), \
совместно именуемые «Стороны», по взаимному соглашению в соответствии с п. 3.5 Соглашения \
№ {{ parent_number }} договорились о следующем:

1. Продлить срок действия Соглашения № {{ parent_number }} на {{ months }} {{ months_word }} \
до {{ extended_until }} включительно.

2. Стороны определили следующие задачи на период продления:
{% for task in tasks %}
— {{ task }}{% if not loop.last %};{% else %}.{% endif %}
{% endfor %}

3. Остальные условия Соглашения № {{ parent_number }} остаются неизменными.

4. Настоящее Дополнительное соглашение является неотъемлемой частью Соглашения \
№ {{ parent_number }}, подписывается Сторонами простыми электронными подписями на портале \
наставничества либо собственноручно в двух экземплярах на бумаге; экземпляр хранится \
в {{ org_short_name }}.

Подписи Сторон
{% for slot in signers %}
{{ slot.role_label }}: {{ slot.name }}
{% endfor %}
"""

DEFAULT_TASKS = (
    "осознание своего образовательного и личностного потенциала",
    "повышение уровня социальной адаптации наставляемого в коллективе",
    "трансляция личного, профессионального опыта, знаний, умений и навыков наставника",
    "повышение уровня мотивации к самообразованию у наставляемого",
    "развитие гибких навыков: коммуникация, целеполагание, планирование, организация",
    "улучшение образовательных, культурных, спортивных и иных результатов наставляемого",
)

# The placeholders every template receives; an unknown one is an error at save time.
SAMPLE_CONTEXT = {
    "number": "Н-2026/001",
    "city": "Пошехонье",
    "date_text": "«1» сентября 2026 г.",
    "mentor_party": "Петрова Анна Ивановна",
    "mentee_party": "Сидоров Иван Петрович",
    "org_full_name": "Организация",
    "org_short_name": "Организация",
    "director_name": "Директор",
    "org_address": "Адрес",
    "tasks": list(DEFAULT_TASKS),
    "months": 9,
    "months_word": "месяцев",
    "signers": [{"role_label": "Наставник", "name": "Петрова Анна Ивановна"}],
    "parent_number": "Н-2026/001",
    "parent_date": "01.09.2026",
    "extended_until": "31.05.2027",
}


class _TemplateEnvironment(SandboxedEnvironment):
    """The sandbox, also refusing powers and repeated strings: `{{ 'x' * 10**9 }}` would
    otherwise fill the server's memory while an administrator previews a template."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" or not all(isinstance(v, int | float) for v in (left, right)):
            raise SecurityError(f"operator {operator!r} is not allowed here")
        return super().call_binop(context, operator, left, right)


_env = _TemplateEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)


def render_body(body: str, context: dict) -> str:
    """Fill a template body; raises RuleViolation with a Russian message on a broken template."""
    try:
        return _env.from_string(body).render(**context)
    except TemplateSyntaxError as exc:
        raise RuleViolation(f"Ошибка в шаблоне, строка {exc.lineno}: {exc.message}") from exc
    except UndefinedError as exc:
        raise RuleViolation(f"В шаблоне неизвестное поле: {exc.message}") from exc
    except SecurityError as exc:
        # An attempt to reach Python internals from the template ({{ ''.__class__ }} …).
        raise RuleViolation(
            "В шаблоне недопустимое выражение: в фигурных скобках можно использовать только "
            "поля из списка справа."
        ) from exc
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        raise RuleViolation(
            "Выражение в шаблоне не удалось вычислить. Используйте только поля из списка справа."
        ) from exc


def current_template(create: bool = True) -> AgreementTemplate:
    """The newest template version; version 1 (the regulation's text) is stored on first use.

    With ``create=False`` a missing version 1 is returned unsaved, so a page that only
    shows the template changes nothing.
    """
    template = db.session.scalar(
        select(AgreementTemplate).order_by(AgreementTemplate.version.desc()).limit(1)
    )
    if template is None and not create:
        return AgreementTemplate(
            version=1, body=DEFAULT_BODY, comment="Текст Приложения № 3 к Положению"
        )
    if template is None:
        template = AgreementTemplate(
            version=1, body=DEFAULT_BODY, comment="Текст Приложения № 3 к Положению"
        )
        db.session.add(template)
        db.session.flush()
    return template


def save_template(body: str, comment: str | None, user) -> AgreementTemplate:
    """Store an edited body as a new version; agreements already issued keep theirs."""
    body = body.replace("\r\n", "\n")
    render_body(body, SAMPLE_CONTEXT)  # refuse a template that cannot be filled
    latest = db.session.scalar(select(func.max(AgreementTemplate.version))) or 0
    template = AgreementTemplate(
        version=latest + 1,
        body=body,
        comment=comment or None,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(template)
    db.session.flush()
    return template
