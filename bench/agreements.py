"""Benchmark agreements: render + seal one agreement (median of 10), ZIP of 200 signed copies.

Run: .venv/bin/python -m bench.agreements  (a throw-away SQLite database and instance folder)
Prints JSON.
"""

import json
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import insert, select

from portal import create_app
from portal.agreements import archive, render, signing
from portal.agreements.models import Agreement
from portal.extensions import db
from portal.statuses import AgreementStatus
from tests import factories

ROUNDS = 10
ARCHIVE_SIZE = 200


def main() -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-agreements-"))
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(workdir / "instance"),
            "TESTING": True,
        }
    )
    with app.app_context():
        db.create_all()
        curator = factories.make_user(login="curator", roles=["curator"])
        mentor = factories.make_user(login="mentor", roles=["mentor"])
        parent = factories.make_user(login="parent", roles=["parent"])
        *_, pair = factories.make_agreement_parties(mentor, None, parent)
        agreement = factories.make_agreement(pair, issue=True, by=curator)
        info = signing.RequestInfo("127.0.0.1", "bench")
        for user in (mentor, parent):
            signing.accept_rules(user, info)
            db.session.commit()
            signing.sign_with_password(
                agreement.id, user, factories.DEFAULT_PASSWORD, agreement.text_hash, info
            )
            db.session.commit()
        identity = render.seal_identity()
        render.render_agreement_pdf(agreement, identity)  # warm fonts and templates
        timings = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            pdf = render.render_agreement_pdf(agreement, identity)
            timings.append((time.perf_counter() - start) * 1000)

        # 200 signed agreements: copies of real sealed PDFs, each a little different.
        row = (
            db.session.execute(select(Agreement.__table__).where(Agreement.id == agreement.id))
            .mappings()
            .one()
        )
        template = {k: v for k, v in row.items() if k not in ("id",)}
        rows = []
        for n in range(ARCHIVE_SIZE):
            values = dict(template)
            values.update(
                number=f"Н-2026/{n + 100:03d}",
                # One open agreement per pair and mentee is a constraint: the copies are closed.
                status=AgreementStatus.TERMINATED,
                verify_code=f"BNCH-{n:04d}-XXXX",
                pdf=pdf + f"\n%copy {n}\n".encode(),
            )
            rows.append(values)
        db.session.execute(insert(Agreement.__table__), rows)
        db.session.commit()
        ids = list(
            db.session.scalars(
                select(Agreement.id).where(Agreement.id != agreement.id).order_by(Agreement.id)
            )
        )
        rows.clear()
        db.session.expunge_all()

        tracemalloc.start()
        start = time.perf_counter()
        size = 0
        for chunk in archive.stream_zip(ids):
            size += len(chunk)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    seal_ms = statistics.median(timings)
    return {
        "goals": {
            "render_and_seal_one_under_1_s": seal_ms < 1000,
            # The archive streams: memory stays small while the ZIP grows to tens of megabytes.
            "zip_peak_memory_under_8_mib": peak < 8 * 2**20,
        },
        "render_and_seal_one_ms_median": round(seal_ms, 1),
        "render_and_seal_one_ms_min": round(min(timings), 1),
        "rounds": ROUNDS,
        "pdf_bytes": len(pdf),
        "zip_files": len(ids),
        "zip_bytes": size,
        "zip_seconds": round(elapsed, 3),
        "zip_peak_memory_mib": round(peak / 2**20, 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=2))
