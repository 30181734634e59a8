"""Browser-side helpers for the office's HTML pages: read a form as a browser would submit
it, find the CSRF token, log in with a token or an admin account."""
import re
from html.parser import HTMLParser

ADMIN_NAME, ADMIN_PASSWORD = "siti", "kata-sandi-rahasia-1"


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the form whose action is ``action``."""

    def __init__(self, action):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.values, self._textarea = action, False, {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif self.inside and tag == "input" and a.get("name"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            if a.get("type") != "file":
                self.values[a["name"]] = a.get("value") or ""
        elif self.inside and tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_values(html: str, action: str) -> dict:
    """The fields (hidden, text, checked boxes, textareas) of the form posting to ``action``."""
    reader = _FormReader(action)
    reader.feed(html)
    return reader.values


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login_admin(client, name=ADMIN_NAME, password=ADMIN_PASSWORD):
    token = csrf_of(client.get("/admin/login").text)
    return client.post("/admin/login", data={"csrf": token, "name": name, "password": password},
                       follow_redirects=False)


def login_token(client, token):
    csrf = csrf_of(client.get("/").text)
    return client.post("/login", data={"csrf": csrf, "token": token}, follow_redirects=False)


def database_text(url):
    """Everything stored in the database at ``url`` as one string (to prove a secret is absent)."""
    if url.startswith("sqlite:///"):
        with open(url.removeprefix("sqlite:///"), "rb") as f:
            return f.read().decode("latin-1")
    from sqlalchemy import MetaData, create_engine, select
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as con:
        text = repr([list(con.execute(select(t))) for t in meta.sorted_tables])
    engine.dispose()
    return text
