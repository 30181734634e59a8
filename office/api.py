"""The office server's JSON API, version 1 (``/api/v1``), documented at ``/docs``.

Endpoints (tokens are ``Authorization: Bearer <token>``; a missing or unknown
token is 401):

* ``POST /api/v1/checkins`` (kiosk): upsert a batch of tickets by ``id``; the reply also
  carries, per queue, what the counters serve and how many wait (``queues``), and per
  service the recent handling time (``handling``); both optional, for the kiosk's wait.
* ``GET  /api/v1/menu`` (kiosk): the menu in force, with ``ETag`` / ``If-None-Match`` -> 304.
* ``PUT  /api/v1/menu`` (admin): publish a menu, validated by :func:`kiosk.menu.parse_menu`;
  a changed menu must carry a version string not published before (409).
* ``POST /api/v1/now-serving`` (admin or staff): the sequence a counter is calling.
* ``GET  /api/v1/health`` (no auth): ``{"status": "ok", "server_time": ...}``.
"""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiosk.errors import MenuError

from . import numbers
from .offices import here
from .auth import Principal, require
from .bodies import StrictJSONRoute
from .db import TicketChanged
from .publish import VersionReused, publish

#: Most tickets accepted in one upload.
MAX_BATCH = 500

router = APIRouter(prefix="/api/v1", route_class=StrictJSONRoute)


class TicketIn(BaseModel):
    """One ticket as ``kiosk.models.Ticket.to_dict()`` writes it (unknown fields ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^[A-Za-z0-9-]{8,64}$", description="uuid4; the idempotency key")
    kiosk_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    office_day: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD, office zone")
    service_code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    queue: str = Field(pattern=r"^[A-Z]$")
    sequence: int = Field(ge=1, le=1_000_000)
    number: str = Field(min_length=1, max_length=16)
    issued_at: str = Field(description="ISO 8601 with UTC offset")
    language: str = Field(default="id", max_length=8)
    rules_confirmed: list[list[str]] = Field(default_factory=list, max_length=10)
    print_status: str = Field(default="pending", max_length=16)
    print_error: str = Field(default="", max_length=500)
    synced_at: str | None = Field(default=None, max_length=40)
    menu_version: str = Field(default="", max_length=120)

    @field_validator("issued_at")
    @classmethod
    def _aware(cls, value: str) -> str:
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("not an ISO 8601 time") from None
        if stamp.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. +07:00")
        return value


class CheckinBatch(BaseModel):
    kiosk_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    menu_version: str = Field(default="", max_length=120)
    office_day: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="the kiosk's office day: the reply's high_water covers it (optional)")
    tickets: list[TicketIn] = Field(max_length=MAX_BATCH)


class RepeatOut(BaseModel):
    office_day: str
    number: str
    ids: list[str]


class ClashOut(BaseModel):
    office_day: str
    number: str
    kiosks: list[str]


class QueueFacts(BaseModel):
    """One queue today, as the counters see it (optional in the reply: servers from before
    the counter pages do not send it)."""

    serving_sequence: int = Field(description="highest sequence of THIS kiosk's tickets in the "
                                              "queue a counter has called today (0: none yet)")
    serving_number: str = Field(description="the last number called in the queue, any kiosk "
                                            "('' if none)")
    called_at: str | None = Field(description="when that was, ISO 8601, office time zone")
    waiting: int = Field(description="tickets of every kiosk in the queue not called yet, "
                                     "including this upload's")
    counters: int = Field(description="active counters serving the queue")


class HandlingTime(BaseModel):
    median_s: float = Field(description="median handling time (called -> done), seconds")
    count: int = Field(description="how many tickets it is the median of: the last ones "
                                   "finished today, at most 20")


class CheckinReply(BaseModel):
    accepted: list[str] = Field(description="ids the server now holds for this kiosk")
    refused: list[str] = Field(default_factory=list,
                               description="ids already held for another kiosk (not stored)")
    conflicts: list[str] = Field(
        default_factory=list,
        description="this kiosk's ids, on the batch's office days, whose number another kiosk "
                    "also gave that day (stored all the same; check [kiosk] number_tag)")
    clashes: list[ClashOut] = Field(default_factory=list,
                                    description="those numbers, each with the kiosks involved")
    server_time: str = Field(description="ISO 8601 with offset, office time zone")
    now_serving: dict[str, int] = Field(
        description="per queue, the sequence now served: queues[q].serving_sequence once a "
                    "counter has called one of this kiosk's tickets in q today, else the value "
                    "set with POST /now-serving")
    queues: dict[str, QueueFacts] = Field(
        default_factory=dict, description="per queue letter with tickets today: what the "
                                          "counters are serving and how many wait (empty while "
                                          "no counter is set up)")
    handling: dict[str, HandlingTime] = Field(
        default_factory=dict, description="per service code: recent handling time today "
                                          "(services with nothing finished today are absent)")
    high_water: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="{office_day: {queue: highest sequence the server holds}} for this kiosk, "
                    "on the batch's days and its office_day; the kiosk never issues at or "
                    "below it")
    repeats: list[RepeatOut] = Field(
        default_factory=list,
        description="numbers this kiosk sent twice on one office day with different ticket "
                    "ids (its data was lost or damaged); every ticket is kept")
    repeat_warning: str | None = Field(default=None, description="the same, in plain words")


class NowServingIn(BaseModel):
    queue: str = Field(pattern=r"^[A-Z]$")
    sequence: int = Field(ge=0, le=1_000_000)


class NowServingReply(BaseModel):
    office_day: str
    now_serving: dict[str, int]


class Health(BaseModel):
    status: str
    server_time: str


class MenuPublished(BaseModel):
    version: str
    etag: str
    services: int


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an ``If-None-Match`` header against ``etag``."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))


_AUTH = {401: {"description": "Token missing or not valid"}}


@router.get("/health", response_model=Health, tags=["status"])
def health(request: Request) -> Health:
    """Liveness and the server clock (no token needed)."""
    return Health(status="ok", server_time=here(request).clock.now_iso())


@router.post("/checkins", response_model=CheckinReply, tags=["kiosk"],
             responses={**_AUTH, 403: {"description": "Tickets of another kiosk"},
                        409: {"description": "A held ticket id resent with other content; "
                                             "`changes` lists id, field, stored and sent "
                                             "values (nothing stored)"},
                        413: {"description": "Body too large"}})
def upload_checkins(batch: CheckinBatch, request: Request,
                    who: Principal = Depends(require("kiosk"))) -> CheckinReply:
    """Store a batch of tickets, upserting by ticket ``id``.

    A retry of the same batch (after a lost reply) stores nothing new and
    answers the same ``accepted`` ids. Tickets whose ``kiosk_id`` is not the
    token's kiosk are refused with 403 (the whole batch). A number another kiosk
    also gave that day (same ``[kiosk] number_tag`` on two kiosks) is stored too,
    and listed in ``conflicts`` / ``clashes`` (and on the staff page). The reply
    carries this kiosk's ``high_water`` per day and queue, and ``repeats``: numbers
    it sent twice in a day under different ids. An empty batch is a valid way to
    ask for the high-water mark of ``office_day``. A held id resent with other
    content (number, service, time, ...) is refused with 409 and the differences;
    a newer print state of a held ticket is stored.
    """
    strangers = {t.kiosk_id for t in batch.tickets if t.kiosk_id != who.name}
    if batch.kiosk_id != who.name or strangers:
        claimed = ", ".join(sorted(strangers | {batch.kiosk_id} - {who.name}))
        raise HTTPException(403, f"This token belongs to kiosk {who.name}; it cannot upload "
                                 f"tickets of kiosk {claimed}.")
    repo, clock = here(request).repo, here(request).clock
    if batch.menu_version:
        repo.touch_kiosk(who.name, batch.menu_version)
    try:
        result = repo.upsert_checkins(who.name, [t.model_dump() for t in batch.tickets])
    except TicketChanged as exc:
        ids = sorted({c["id"] for c in exc.changes})
        return JSONResponse({"detail": f"{len(ids)} ticket id(s) already held with other "
                                       f"content; nothing of this batch was stored. One id "
                                       f"names one check-in: {', '.join(ids[:5])}",
                             "changes": exc.changes[:200]}, status_code=409)
    queues, handling = counter_figures(here(request), who.name)
    serving = repo.now_serving(clock.today())
    serving.update({q: f.serving_sequence for q, f in queues.items() if f.serving_sequence})
    days = {t.office_day for t in batch.tickets} | ({batch.office_day} - {None})
    again = numbers.repeats(repo, sorted(days), kiosk_id=who.name)
    return CheckinReply(accepted=result.accepted, refused=result.refused,
                        high_water=numbers.high_water(repo, who.name, days),
                        repeats=[RepeatOut(office_day=r.office_day, number=r.number,
                                           ids=list(r.ids)) for r in again[:50]],
                        repeat_warning=numbers.repeat_warning(again),
                        conflicts=result.conflicts[:MAX_BATCH],
                        clashes=[ClashOut(office_day=c.office_day, number=c.number,
                                          kiosks=list(c.kiosks)) for c in result.clashes[:50]],
                        server_time=clock.now_iso(), now_serving=serving, queues=queues,
                        handling=handling)


def counter_figures(office, kiosk_id: str) -> tuple[dict, dict]:
    """``(queues, handling)`` of the sync reply for ``kiosk_id``, today (office clock); both
    empty while no counter is set up (an office not using the loket pages: no extra work)."""
    clock, day = office.clock, office.clock.today()
    serving = office.counters.counters(active_only=True)
    if not serving:
        return {}, {}
    queues = {}
    for letter, f in office.stats.queue_facts(day, kiosk_id).items():
        at = f["called_at"]
        queues[letter] = QueueFacts(
            serving_sequence=f["serving_sequence"], serving_number=f["serving_number"],
            called_at=datetime.fromisoformat(at).astimezone(clock.tz).isoformat(
                timespec="seconds") if at else None,
            waiting=f["waiting"], counters=sum(letter in c.queues for c in serving))
    handling = {code: HandlingTime(**h)
                for code, h in office.stats.recent_handling(day).items()}
    return queues, handling


@router.get("/menu", tags=["kiosk"], responses={
    **_AUTH, 200: {"description": "The menu JSON; header ETag"},
    304: {"description": "Not modified (If-None-Match matched)"},
    404: {"description": "No menu published yet"}})
def get_menu(request: Request, who: Principal = Depends(require("kiosk"))) -> Response:
    """The menu in force, byte for byte as published, with its ``ETag``."""
    row = here(request).repo.current_menu()
    if row is None:
        raise HTTPException(404, "No menu has been published yet.")
    headers = {"ETag": row.etag, "Cache-Control": "no-cache"}
    if etag_matches(request.headers.get("If-None-Match"), row.etag):
        return Response(status_code=304, headers=headers)
    return Response(row.body.encode("utf-8"), media_type="application/json", headers=headers)


_MENU_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "description": "A menu as kiosk.menu documents it"}}}}}


@router.put("/menu", response_model=MenuPublished, tags=["admin"], openapi_extra=_MENU_BODY,
            responses={**_AUTH, 413: {"description": "Body too large"},
                       409: {"description": "A changed menu reuses a published version"},
                       422: {"description": "Menu refused; `problems` lists why"}})
async def put_menu(request: Request, who: Principal = Depends(require("admin"))):
    """Validate and publish a menu; the same menu as the one in force adds no new version.

    A changed menu whose ``version`` was published before is refused with 409
    (the kiosks report versions, so each must name one menu), as the admin page does.

    A new version is written to the audit log as ``token:<name>``, action ``api``.
    422 ``{"detail": "...", "problems": ["Service 'kk-baru': names.id is missing", ...]}``.
    """
    body = await request.body()
    try:
        done = await run_in_threadpool(lambda: publish(
            here(request).repo, body, actor=f"token:{who.name}", action="api",
            source="uploaded menu", new_version_only=True))
    except VersionReused as exc:
        return JSONResponse({"detail": str(exc), "problems": list(exc.problems)},
                            status_code=409)
    except MenuError as exc:
        return JSONResponse({"detail": str(exc), "problems": list(exc.problems)},
                            status_code=422)
    return MenuPublished(version=done.row.version, etag=done.row.etag,
                         services=len(done.menu.services))


@router.post("/now-serving", response_model=NowServingReply, tags=["staff"], responses=_AUTH)
def set_now_serving(body: NowServingIn, request: Request,
                    who: Principal = Depends(require("admin", "staff"))) -> NowServingReply:
    """Set the sequence now being called for a queue, today (office time zone)."""
    repo, day = here(request).repo, here(request).clock.today()
    repo.set_now_serving(day, body.queue, body.sequence)
    return NowServingReply(office_day=day, now_serving=repo.now_serving(day))
