"""The office server: receives kiosk check-ins, publishes the service menu.

Layout, one idea per module:

* :mod:`office.tables`    SQLAlchemy 2.x tables and the frozen records the repository returns
* :mod:`office.db`        the repository verbs (SQLite or PostgreSQL)
* :mod:`office.engine`    engine and sessions (SQLite: BEGIN IMMEDIATE writes, busy timeout)
* :mod:`office.migrate`   Alembic migrations (``office/migrations``), run at start
* :mod:`office.office_repo` / :mod:`office.scope` / :mod:`office.offices`  offices: their
  table's verbs, the office filter on every query, the caller's office per request
* :mod:`office.offices_web` the regency admin's ``/admin/offices``;
  :mod:`office.cli_offices` the offices part of ``kiosk-office``
* :mod:`office.auth`      token hashing and the FastAPI auth dependencies
* :mod:`office.admins`    admin accounts: argon2 passwords, lockout after failed logins
* :mod:`office.publish`   validate, diff and store a menu with its audit entry
* :mod:`office.api`       the versioned JSON API, ``/api/v1/...``
* :mod:`office.pages`     HTML shell, session cookie and CSRF check shared by the pages
* :mod:`office.web`       the staff page ``/`` (server-rendered HTML, token login)
* :mod:`office.admin_web` admin login and the menu page (editor, upload, download, kiosks)
* :mod:`office.audit_web` the audit log, kept versions and restore
* :mod:`office.menu_form` menu <-> flat form fields; :mod:`office.menu_view` the editor HTML
* :mod:`office.app`       :func:`~office.app.create_app`: settings -> FastAPI app
* :mod:`office.cli`       the ``kiosk-office`` command
* :mod:`office.counter_tables` / :mod:`office.counter_repo` / :mod:`office.staff_repo` /
  :mod:`office.counter_stats`  counters, the ticket flow, staff accounts, waiting and
  handling times
* :mod:`office.loket_web` / :mod:`office.loket_view`  the loket (counter) pages
* :mod:`office.counters_admin` the admin's counters and staff accounts page
* :mod:`office.display_web` the waiting-room display and its event stream;
  :mod:`office.events` the broadcaster; :mod:`office.floor` the state it sends;
  :mod:`office.feed` each process's look for calls other worker processes took;
  :mod:`office.voice` the chime + espeak-ng announcement
* :mod:`office.devserver` run the app with uvicorn in a thread on 127.0.0.1 (tests, bench)
"""
