"""Alembic environment of the office server: always run from :func:`office.migrate.upgrade`
(or ``kiosk-office db``), on the connection it passes in ``config.attributes["connection"]``."""
from alembic import context

from office import counter_tables  # noqa: F401  (its tables join Base.metadata)
from office.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
