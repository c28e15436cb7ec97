"""Documents per the law: signer hand-overs and keys, the paper route

Revision ID: i10_documents_law
Revises: i14_sessions
Create Date: 2026-12-01 23:50:00

"""

import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = "i10_documents_law"
# Chained after issue 14 (merged into this branch); the lead re-chains at merge time.
down_revision = "i14_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signer_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("document_kind", sa.String(length=80), nullable=False),
        sa.Column("document_last_digits", sa.String(length=4), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_by_name", sa.String(length=300), nullable=False),
        sa.Column("checked_at", portal.timeutil.UTCDateTime(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", portal.timeutil.UTCDateTime(), nullable=False),
        sa.Column("used_at", portal.timeutil.UTCDateTime(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"]),
        sa.ForeignKeyConstraint(["checked_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("signer_handovers") as batch:
        batch.create_index("ix_signer_handovers_agreement_id", ["agreement_id"])
        batch.create_index("ix_signer_handovers_person_id", ["person_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("signer_key_at", portal.timeutil.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("signer_key_person_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(sa.Column("signed_route", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("paper_signed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("paper_scan_type", sa.String(length=40), nullable=True))
    with op.batch_alter_table("petitions") as batch:
        batch.add_column(sa.Column("filed_by_user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("filed_by_name", sa.String(length=300), nullable=True))
        batch.create_foreign_key(
            "fk_petitions_filed_by_user_id_users",
            "users",
            ["filed_by_user_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Every agreement signed so far was signed electronically.
    op.execute("UPDATE agreements SET signed_route = 'electronic' WHERE pdf_hash IS NOT NULL")


def downgrade():
    with op.batch_alter_table("petitions") as batch:
        batch.drop_constraint("fk_petitions_filed_by_user_id_users", type_="foreignkey")
        batch.drop_column("filed_by_name")
        batch.drop_column("filed_by_user_id")
    with op.batch_alter_table("agreements") as batch:
        batch.drop_column("paper_scan_type")
        batch.drop_column("paper_signed_on")
        batch.drop_column("signed_route")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("signer_key_person_id")
        batch.drop_column("signer_key_at")
    with op.batch_alter_table("signer_handovers") as batch:
        batch.drop_index("ix_signer_handovers_person_id")
        batch.drop_index("ix_signer_handovers_agreement_id")
    op.drop_table("signer_handovers")
