"""Baseline: the office server's schema as it was before Alembic (one office per database).

Idempotent, so it also adopts a database made before Alembic by ``Base.metadata.create_all``:
tables and indexes missing there (a database from before the counter pages, or the paging
indexes) are created, and browser sessions from before the ``csrf``/``credential`` columns are
dropped (everyone logs in again). A table already there is left as it is.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S, I, T = sa.String, sa.Integer, sa.Text


def _c(name, kind, nullable=False, **kw):
    return sa.Column(name, kind, nullable=nullable, **kw)


def schema() -> sa.MetaData:
    """The frozen baseline tables (as :mod:`office.tables` and :mod:`office.counter_tables`
    defined them at this revision)."""
    m = sa.MetaData()
    sa.Table("credentials", m, _c("token_hash", S(64), primary_key=True),
             _c("role", S(8), index=True), _c("name", S(64), index=True),
             _c("created_at", S(40)))
    sa.Table("kiosks", m, _c("id", S(32), primary_key=True), _c("created_at", S(40)),
             _c("last_seen_at", S(40), True), _c("menu_version", S(120)))
    sa.Table("checkins", m, _c("id", S(64), primary_key=True), _c("kiosk_id", S(32), index=True),
             _c("office_day", S(10), index=True), _c("service_code", S(32)),
             _c("queue", S(1)), _c("sequence", I), _c("number", S(16)),
             _c("issued_at", S(40)), _c("received_at", S(40)), _c("payload", T),
             sa.Index("ix_checkins_day_number", "office_day", "number"),
             sa.Index("ix_checkins_day_issued", "office_day", "issued_at"))
    sa.Table("menus", m, _c("id", I, primary_key=True, autoincrement=True),
             _c("version", S(120)), _c("etag", S(80)), _c("body", T), _c("published_at", S(40)))
    sa.Table("now_serving", m, _c("office_day", S(10), primary_key=True),
             _c("queue", S(1), primary_key=True), _c("sequence", I), _c("updated_at", S(40)))
    sa.Table("web_sessions", m, _c("id_hash", S(64), primary_key=True), _c("role", S(8)),
             _c("expires_at", S(40)), _c("name", S(64)), _c("via", S(8)), _c("csrf", S(64)),
             _c("credential", S(64)))
    sa.Table("admin_users", m, _c("name", S(32), primary_key=True), _c("password_hash", S(200)),
             _c("failures", I), _c("locked_until", S(40), True), _c("created_at", S(40)),
             _c("last_login_at", S(40), True))
    sa.Table("login_throttle", m, _c("address", S(64), primary_key=True), _c("failures", I),
             _c("locked_until", S(40), True), _c("updated_at", S(40)))
    sa.Table("audit_log", m, _c("id", I, primary_key=True, autoincrement=True),
             _c("at", S(40), index=True), _c("actor", S(64)), _c("action", S(16)),
             _c("version_before", S(120)), _c("version_after", S(120)),
             _c("menu_id", I, True), _c("note", S(200)), _c("changes", T))
    sa.Table("staff_accounts", m, _c("name", S(32), primary_key=True),
             _c("password_hash", S(200)), _c("failures", I), _c("locked_until", S(40), True),
             _c("active", I), _c("created_at", S(40)), _c("last_login_at", S(40), True))
    sa.Table("counters", m, _c("id", I, primary_key=True, autoincrement=True),
             _c("name", S(40), unique=True), _c("queues", S(80)), _c("active", I),
             _c("shown_number", S(16)), _c("shown_at", S(40), True), _c("shown_day", S(10)),
             _c("created_at", S(40)))
    sa.Table("queue_items", m, _c("id", I, primary_key=True, autoincrement=True),
             _c("checkin_id", S(64), True, unique=True), _c("claim_key", S(40), True, unique=True),
             _c("office_day", S(10)), _c("kiosk_id", S(32)), _c("number", S(16)),
             _c("queue", S(1)), _c("sequence", I), _c("service_code", S(32)),
             _c("issued_at", S(40)), _c("state", S(8)), _c("counter_id", I, True),
             _c("target_counter_id", I, True), _c("first_called_at", S(40), True),
             _c("called_at", S(40), True), _c("done_at", S(40), True), _c("calls", I),
             _c("staff", S(32)),
             sa.Index("ix_queue_items_waiting", "office_day", "state", "queue", "issued_at"),
             sa.Index("ix_queue_items_number", "office_day", "number"),
             sa.Index("ix_queue_items_kiosk_state", "office_day", "kiosk_id", "queue", "state",
                      "sequence"),
             sa.Index("ix_queue_items_done", "office_day", "state", "done_at"),
             sa.Index("ix_queue_items_called", "office_day", "queue", "called_at"),
             sa.Index("ix_queue_items_target", "office_day", "state", "target_counter_id"))
    sa.Table("counter_actions", m, _c("id", I, primary_key=True, autoincrement=True),
             _c("at", S(40)), _c("office_day", S(10)), _c("staff", S(32)), _c("counter_id", I),
             _c("item_id", I), _c("number", S(16)), _c("action", S(16)),
             _c("detail", S(120)), sa.Index("ix_counter_actions_day", "office_day", "id"))
    return m


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if inspector.has_table("web_sessions"):
        columns = {c["name"] for c in inspector.get_columns("web_sessions")}
        if not {"csrf", "credential"} <= columns:
            op.drop_table("web_sessions")
    meta = schema()
    meta.create_all(bind, checkfirst=True)
    for table in meta.tables.values():
        for index in table.indexes:
            index.create(bind, checkfirst=True)


def downgrade() -> None:
    for table in reversed(schema().sorted_tables):
        op.drop_table(table.name)
