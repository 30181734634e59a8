"""The office server: receives kiosk check-ins, publishes the service menu.

Layout, one idea per module:

* :mod:`office.db`        SQLAlchemy 2.x tables and the repository verbs (SQLite or PostgreSQL)
* :mod:`office.auth`      token hashing and the FastAPI auth dependencies
* :mod:`office.api`       the versioned JSON API, ``/api/v1/...``
* :mod:`office.web`       the staff page ``/`` (server-rendered HTML, login cookie)
* :mod:`office.app`       :func:`~office.app.create_app`: settings -> FastAPI app
* :mod:`office.cli`       the ``kiosk-office`` command
* :mod:`office.devserver` run the app with uvicorn in a thread on 127.0.0.1 (tests, bench)
"""
