"""Offices: an ``offices`` table, and every office-bound row gets ``office_id``.

An existing one-office database lands whole in one office, made here from the server's
settings (``default_office``: the name given by ``--office-name`` and the ``--tz`` zone):
its kiosks, check-ins, menus, "now serving", counters, the counters' flow and log, staff
accounts, tokens, admin accounts (they become admins of that office, not of the regency),
audit entries and open browser sessions. ``now_serving`` is keyed by office too; a counter's
name is unique within its office.

Revision ID: 0002
Revises: 0001
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import context, op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: tables whose every row belongs to one office
OFFICE_TABLES = ("kiosks", "checkins", "menus", "counters", "queue_items", "counter_actions",
                 "staff_accounts")
#: tables where office_id None means "the regency" (regency admins, their audit entries)
REGENCY_TABLES = ("credentials", "admin_users", "audit_log", "web_sessions")


def upgrade() -> None:
    bind = op.get_bind()
    settings = context.config.attributes.get("default_office") or {}
    offices = op.create_table(
        "offices", sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("retention_days", sa.Integer, nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False))
    bind.execute(offices.insert().values(
        name=settings.get("name") or "Disdukcapil Kabupaten Barito Timur", address="",
        timezone=settings.get("timezone") or "Asia/Pontianak",
        created_at=datetime.now(timezone.utc).isoformat()))
    first = bind.execute(sa.select(sa.func.min(offices.c.id))).scalar()
    for table in OFFICE_TABLES:
        op.add_column(table, sa.Column("office_id", sa.Integer, nullable=False,
                                       server_default=str(first)))
        op.create_index(f"ix_{table}_office_id", table, ["office_id"])
    for table in REGENCY_TABLES:
        op.add_column(table, sa.Column("office_id", sa.Integer, nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET office_id = :o").bindparams(o=first))
        if table != "web_sessions":
            op.create_index(f"ix_{table}_office_id", table, ["office_id"])
    _now_serving_by_office(bind, first)
    _counter_names_per_office(bind)


def _now_serving_by_office(bind, first: int) -> None:
    """Re-make ``now_serving`` keyed by (office, day, queue), its rows in office ``first``."""
    rows = [dict(r._mapping) for r in bind.execute(sa.text("SELECT * FROM now_serving"))]
    op.drop_table("now_serving")
    table = op.create_table(
        "now_serving", sa.Column("office_id", sa.Integer, primary_key=True),
        sa.Column("office_day", sa.String(10), primary_key=True),
        sa.Column("queue", sa.String(1), primary_key=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False))
    if rows:
        op.bulk_insert(table, [dict(r, office_id=first) for r in rows])


def _counter_names_per_office(bind) -> None:
    """A counter's name unique per office instead of on the whole server."""
    if bind.dialect.name == "sqlite":  # its UNIQUE(name) is unnamed: name it to drop it
        with op.batch_alter_table("counters", naming_convention={
                "uq": "uq_%(table_name)s_%(column_0_name)s"}) as batch:
            batch.drop_constraint("uq_counters_name", type_="unique")
            batch.create_unique_constraint("uq_counters_office_name", ["office_id", "name"])
        return
    for unique in sa.inspect(bind).get_unique_constraints("counters"):
        if unique["column_names"] == ["name"]:
            op.drop_constraint(unique["name"], "counters", type_="unique")
    op.create_unique_constraint("uq_counters_office_name", "counters", ["office_id", "name"])


def downgrade() -> None:
    raise NotImplementedError("offices cannot be folded back into one; restore a backup")
