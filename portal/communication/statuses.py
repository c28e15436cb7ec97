"""The media plan's kinds and statuses, as enums with their Russian titles (portal.statuses)."""

from portal.statuses import Status


class MediaKind(Status):
    """Kinds of publication the regulation names (п. 3.6) and the participants' stories."""

    PRESS_RELEASE = "press_release", "Пресс-релиз", "info"
    POST_RELEASE = "post_release", "Пост-релиз", "info"
    NEWS = "news", "Новость", "muted"
    DIGEST = "digest", "Дайджест", "muted"
    ALBUM = "album", "Фотоальбом", "muted"
    LONGREAD = "longread", "Лонгрид", "muted"
    CASE = "case", "Кейс участника", "muted"
    REVIEW = "review", "Отзыв участника", "muted"


class MediaStatus(Status):
    PLANNED = "planned", "Запланировано", "info"
    PUBLISHED = "published", "Опубликовано", "ok"
    CANCELLED = "cancelled", "Отменено", "muted"
    TAKEN_DOWN = "taken_down", "Снято с публикации", "warn"


class MessageStage(Status):
    """The three stages of the dissemination strategy (004_…): what a target group should reach."""

    AWARENESS = "awareness", "Осведомлённость", "info"
    UNDERSTANDING = "understanding", "Понимание", "info"
    ACTION = "action", "Действие", "ok"


class DisseminationKind(Status):
    """The strategy's families of channels (004_…): media, promotion, marketing, events."""

    MEDIA = "media", "СМИ и публикации", "muted"
    PROMOTION = "promotion", "Продвижение", "muted"
    MARKETING = "marketing", "Маркетинг", "muted"
    EVENT = "event", "Мероприятие", "muted"


class EntryStatus(Status):
    """Where the centre's application to a contest stands."""

    DRAFT = "draft", "Готовится", "info"
    SUBMITTED = "submitted", "Подана", "ok"
    WITHDRAWN = "withdrawn", "Отозвана", "muted"


class RequestStatus(Status):
    WAITING = "waiting", "Ждёт ответа", "warn"
    ANSWERED = "answered", "Отвечено", "ok"
    SCHEDULED = "scheduled", "Консультация назначена", "info"


class ContactKind(Status):
    """The ways of remote help of 002_… п. 2.3."""

    PHONE = "phone", "Телефон", "muted"
    MESSENGER = "messenger", "Мессенджер или соцсеть", "muted"
    EMAIL = "email", "Электронная почта", "muted"
    PROFILE = "profile", "Профиль педагога", "muted"


class ConsultationKind(Status):
    INDIVIDUAL = "individual", "Индивидуальная", "info"
    GROUP = "group", "Групповая", "info"
