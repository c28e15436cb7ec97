"""Two worker processes sign the same agreement at the same moment on PostgreSQL: the agreement
ends up signed once, with one sealed copy and one «fully signed» event."""

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.agreements import signing, trail
from portal.agreements.models import Agreement, AgreementEvent, Signature
from portal.extensions import db
from tests import factories

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[1]

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from portal import create_app
    from portal.accounts.models import User
    from portal.agreements import signing
    from portal.domain import RuleViolation
    from portal.extensions import db

    url, instance, user_id, agreement_id, password, text_hash, start = sys.argv[1:8]
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
                      "INSTANCE_PATH": instance, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        user = db.session.get(User, int(user_id))
        info = signing.RequestInfo(ip="10.0.0.9", user_agent="worker")
        time.sleep(max(0.0, float(start) - time.time()))  # both sign at the same moment
        try:
            signing.sign_with_password(int(agreement_id), user, password, text_hash, info)
            db.session.commit()
            print(json.dumps({"ok": True}))
        except RuleViolation as exc:
            db.session.rollback()
            print(json.dumps({"ok": False, "message": exc.message}))
    """
)


@pytest.fixture
def postgres_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("нужен PostgreSQL: задайте TEST_DATABASE_URL=postgresql+psycopg://…")
    return database_url


def test_two_signers_at_the_same_moment_sign_and_seal_once(
    app, postgres_url, instance_path, curator, mentor, parent
):
    _mentor, _child, _mother, pair = factories.make_agreement_parties(mentor, None, parent)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    for user in (mentor, parent):
        signing.accept_rules(user, signing.RequestInfo(ip=None, user_agent=None))
    db.session.commit()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.time() + 4  # both processes have imported the app by then
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                postgres_url,
                str(instance_path),
                str(user.id),
                str(agreement.id),
                factories.DEFAULT_PASSWORD,
                agreement.text_hash,
                str(start),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for user in (mentor, parent)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert results == [{"ok": True}, {"ok": True}]

    db.session.expire_all()
    stored = db.session.get(Agreement, agreement.id)
    assert stored.status == "действует"
    assert stored.pdf is not None and stored.sealed_at is not None
    signers = db.session.scalars(
        select(Signature.signer_name).where(Signature.agreement_id == agreement.id)
    ).all()
    assert sorted(signers) == ["Кузнецова Елена Сергеевна", "Орлова Наталья Петровна"]
    sealed = db.session.scalar(
        select(func.count())
        .select_from(AgreementEvent)
        .where(AgreementEvent.agreement_id == agreement.id, AgreementEvent.kind == "fully_signed")
    )
    assert sealed == 1
    assert trail.verify_chain(stored).ok
