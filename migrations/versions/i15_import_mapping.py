"""imports: sheets read once, column mapping and its memory, cell fixes; look-alike keys

Revision ID: i15_import_mapping
Revises: i10_documents_law
Create Date: 2026-12-01 23:50:00

"""

import sqlalchemy as sa
from alembic import op

import portal.timeutil

revision = "i15_import_mapping"
down_revision = "i10_documents_law"
branch_labels = None
depends_on = None


def _refold_search_keys() -> None:
    """Search keys now fold Latin look-alikes in Russian words: recompute the stored ones."""
    from portal.text import fold

    bind = op.get_bind()
    persons = sa.table(
        "persons",
        sa.column("id", sa.Integer),
        sa.column("last_name", sa.String),
        sa.column("first_name", sa.String),
        sa.column("middle_name", sa.String),
        sa.column("search_key", sa.String),
    )
    rows = bind.execute(
        sa.select(
            persons.c.id,
            persons.c.last_name,
            persons.c.first_name,
            persons.c.middle_name,
            persons.c.search_key,
        )
    ).all()
    for row in rows:
        key = fold(f"{row.last_name} {row.first_name} {row.middle_name or ''}")
        if key != row.search_key:
            bind.execute(persons.update().where(persons.c.id == row.id).values(search_key=key))


def upgrade():
    # Unconfirmed uploads hold a file this version no longer reads: they are dropped.
    op.execute("DELETE FROM person_import_batches WHERE committed_at IS NULL")
    with op.batch_alter_table("person_import_batches", schema=None) as batch_op:
        batch_op.drop_column("data")
        batch_op.add_column(sa.Column("sheets", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("sheet", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("header_row", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("columns", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("mapping", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("fixes", sa.JSON(), nullable=True))
    op.execute("UPDATE person_import_batches SET sheets = '[]', fixes = '{}'")
    with op.batch_alter_table("person_import_batches", schema=None) as batch_op:
        batch_op.alter_column("sheets", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("fixes", existing_type=sa.JSON(), nullable=False)
    op.create_table(
        "person_import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base", sa.String(length=10), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", portal.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_person_import_mappings_confirmed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_import_mappings")),
        sa.UniqueConstraint("base", "signature", name=op.f("uq_person_import_mappings_base")),
    )
    _refold_search_keys()


def downgrade():
    op.drop_table("person_import_mappings")
    op.execute("DELETE FROM person_import_batches WHERE committed_at IS NULL")
    with op.batch_alter_table("person_import_batches", schema=None) as batch_op:
        batch_op.drop_column("fixes")
        batch_op.drop_column("mapping")
        batch_op.drop_column("columns")
        batch_op.drop_column("header_row")
        batch_op.drop_column("sheet")
        batch_op.drop_column("sheets")
        batch_op.add_column(
            sa.Column("data", sa.LargeBinary(), nullable=False, server_default=sa.text("''"))
        )
