"""The start page tells a signer that an agreement waits for their signature."""

from portal.agreements import signing
from portal.extensions import db
from portal.notifications.queue import work_queue
from tests import factories

WAITS = "Соглашение ждёт вашей подписи"


def _start_page(app, user) -> str:
    return factories.client_for(app, user).get("/").get_data(as_text=True)


def _waiting(user) -> list:
    return [item for item in work_queue(user) if item.title == WAITS]


def test_the_start_page_says_an_agreement_waits_for_the_users_signature(app):
    teacher = factories.make_user(login="teacher", roles=["mentor"])
    mother_user = factories.make_user(login="mama", roles=["parent"])
    _mentor, _child, _mother, pair = factories.make_agreement_parties(
        mentor_user=teacher, parent_user=mother_user
    )
    factories.make_agreement(pair)
    with app.test_request_context():
        assert _waiting(teacher) == []  # a draft asks nothing of anyone
    assert WAITS not in _start_page(app, teacher)
    agreement = factories.make_agreement(pair, issue=True)
    with app.test_request_context():
        for user in (teacher, mother_user):
            [item] = _waiting(user)
            assert item.count == 1 and item.url == f"/agreements/{agreement.id}/sign"
    for user in (teacher, mother_user):
        page = _start_page(app, user)
        assert WAITS in page and f'href="/agreements/{agreement.id}/sign"' in page

    info = signing.RequestInfo(ip="127.0.0.1", user_agent="pytest")
    signing.accept_rules(teacher, info)
    signing.sign_with_password(
        agreement.id, teacher, factories.DEFAULT_PASSWORD, agreement.text_hash, info
    )
    db.session.commit()
    assert WAITS not in _start_page(app, teacher)
    assert WAITS in _start_page(app, mother_user)


def test_a_user_without_a_person_has_nothing_waiting(app, curator):
    with app.test_request_context():
        assert _waiting(curator) == []
    assert WAITS not in _start_page(app, curator)
