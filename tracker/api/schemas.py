"""Request and response bodies of the API. The OpenAPI document is generated from these."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from tracker.exports.formats import FORMAT as TIMELINE_FORMAT
from tracker.progress.operations import URL_PATTERN

from tracker.progress.models import Confidentiality, ImplementationStatus, UpdateState

# The same rules as the web form's (tracker.progress.operations), stated here so the document says them.
Url = Annotated[str, Field(pattern=URL_PATTERN, max_length=2000)]
Text = Annotated[str, Field(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", description="Plain text; no control characters.")]


def _integral(value):
    """JSON Schema counts 3.0 as an integer; so do we. Anything else keeps its type."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Version = Annotated[
    int,
    BeforeValidator(_integral),
    Field(ge=1, le=2**31 - 1),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}),
]


class Body(BaseModel):
    """Unknown fields are refused, and types are not coerced ("1" is not 1)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class UpdateCreate(Body):
    status: ImplementationStatus = Field(description="The status the entity claims.")
    narrative: Text = Field("", max_length=20_000)
    evidence_urls: list[Url] = Field(default_factory=list, max_length=50, description="http(s) addresses.")
    confidentiality: Confidentiality = Field(Confidentiality.entity, description="Who may read the update.")


class UpdatePatch(Body):
    version: Version = Field(description="The version you read; a stale version answers 409.")
    status: Optional[ImplementationStatus] = None
    narrative: Optional[Text] = Field(None, max_length=20_000)
    evidence_urls: Optional[list[Url]] = Field(None, max_length=50, description="Links to add.")
    confidentiality: Optional[Confidentiality] = None


class Transition(Body):
    version: Optional[Version] = Field(None, description="The version you read, to refuse a stale action.")


class Review(Body):
    decision: Literal["accept", "return"]
    assessed_status: Optional[ImplementationStatus] = Field(None, description="Required to accept.")
    comment: Text = Field("", max_length=5000, description="Required to return, or when the assessment differs from the claim.")
    version: Optional[Version] = None


class EvidenceOut(BaseModel):
    id: int
    kind: Literal["link", "file"]
    url: Optional[str] = None
    filename: Optional[str] = None
    sha256: Optional[str] = None


class UpdateOut(BaseModel):
    id: int
    assignment_id: int
    entity: str
    item: str
    state: UpdateState
    status: ImplementationStatus
    narrative: str
    confidentiality: Confidentiality
    evidence: list[EvidenceOut]
    version: int
    created_at: datetime
    submitted_at: Optional[datetime]
    reviewed_at: Optional[datetime]
    assessed_status: Optional[ImplementationStatus]
    assessment_reason: Optional[str]
    return_comment: Optional[str]


class AcceptedOut(BaseModel):
    update_id: int
    claimed_status: ImplementationStatus
    assessed_status: ImplementationStatus
    reason: Optional[str]
    accepted_at: datetime


class AssignmentOut(BaseModel):
    id: int
    entity: str
    item: str
    session: str
    due: date
    overdue: bool
    official_status: ImplementationStatus
    official_since: Optional[datetime]
    open_update_id: Optional[int] = Field(description="Null for others than the entity while the open update is a draft.")
    version: int


class AssignmentDetail(AssignmentOut):
    history: list[AcceptedOut]


class AssignmentPage(BaseModel):
    items: list[AssignmentOut]
    next_after: Optional[int] = Field(description="Pass as ?after= for the next page; null on the last.")


class EventOut(BaseModel):
    seq: int
    occurred_at: datetime
    actor_id: Optional[int]
    actor_label: str
    actor_role: Optional[str]
    kind: str
    target_type: Optional[str]
    target_id: Optional[int]
    entity_id: Optional[int]
    assignment_id: Optional[int]
    recommendation_id: Optional[int]
    data: dict
    prev_hash: str
    hash: str


EVENT_PAGE_SIZE, EVENT_PAGE_MAX = 100, 1000


class EventPage(BaseModel):
    items: list[EventOut]
    limit: int = Field(description=f"The page size used: ?limit=, {EVENT_PAGE_SIZE} unless given, at most {EVENT_PAGE_MAX}.")
    next_before: Optional[int] = Field(description="Newest first: pass as ?before= for the next, older page; null on the last page, and in chain order.")
    next_after: Optional[int] = Field(description="Chain order (?after=): pass as ?after= for the next page; null on the last page, and newest first.")
    next: Optional[str] = Field(description="The next page's path and query, with the same filters and limit; null on the last page.")


class EventLine(EventOut):
    """One event line of the application/x-ndjson stream: the event, then readable codes."""

    entity_code: Optional[str] = Field(description="The code of the entity the event concerns.")
    item_code: Optional[str] = Field(description="The code of the item the event concerns.")


class Manifest(BaseModel):
    """What a timeline export holds; the stream's last line carries it, as an export's manifest row."""

    format: Literal[TIMELINE_FORMAT]
    generated_at: datetime
    generated_by: str
    scope: str = Field(description="all, or entity:CODE for a focal point.")
    filters: dict[str, Union[str, int]] = Field(description="The filters given, by name.")
    rows: int = Field(description="How many event lines come before this one.")
    head_seq: int = Field(description="The chain's head when the stream began; later events are left out.")
    head_hash: str
    complete_chain: bool = Field(description="True when every event is there (all entities, no filter): the lines then chain from the genesis hash to head_hash.")


class ManifestLine(BaseModel):
    """The last line of the application/x-ndjson stream."""

    manifest: Manifest


class ErrorDetail(BaseModel):
    status: int
    message: str
    field: Optional[str] = None


class Error(BaseModel):
    error: ErrorDetail
