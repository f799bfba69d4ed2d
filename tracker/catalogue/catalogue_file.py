"""Read and check the curated catalogue in seed/ before anything is written.

A problem stops the whole seed with the file, the line and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from tracker.catalogue.models import MEMBER_STATES, EntityKind, RecommendationKind
from tracker.catalogue.source import SourceDocument, normalize, parse

CATALOGUE_FILE = "catalogue.yaml"
MEMBER_STATES_FILE = "member_states.yaml"
_ENTITY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_ITEM_CODE = re.compile(r"^[A-Z]+\.[0-9]+$")


class CatalogueError(ValueError):
    """The catalogue cannot be seeded; ``str()`` names the file, the line and the problem."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {problem}")


class _Mapping(dict):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings remember the line they start on."""


def _construct_mapping(loader: _LineLoader, node):
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    yield mapping
    mapping.update(loader.construct_mapping(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


@dataclass
class ItemSpec:
    code: str
    kind: RecommendationKind
    text: str
    quote: str
    paragraph: int
    themes: list[str]
    resolutions: list[str]
    addressees: list[str]
    due: date
    due_note: str


@dataclass
class SessionSpec:
    code: str
    heading: str
    title: str
    items: list[ItemSpec] = field(default_factory=list)


@dataclass
class Catalogue:
    briefing: dict
    source: SourceDocument
    themes: dict[str, str]
    entities: list[tuple[str, EntityKind, str]]
    rounds: list[dict]
    sessions: list[SessionSpec]

    @property
    def items(self) -> list[ItemSpec]:
        return [item for session in self.sessions for item in session.items]


def load(seed_dir: Path | str) -> Catalogue:
    """Read seed/ and return the checked catalogue.

    :raise CatalogueError: the first problem found, with its file and line.
    """
    seed_dir = Path(seed_dir)
    data = _read_yaml(seed_dir / CATALOGUE_FILE)
    states = _read_yaml(seed_dir / MEMBER_STATES_FILE)
    return _Checker(seed_dir, data, states).catalogue()


def _read_yaml(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(path, None, f"cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(path, None, "the file is not UTF-8 text") from exc
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError(path, mark.line + 1 if mark else None, f"not valid YAML: {problem}") from exc


class _Checker:
    def __init__(self, seed_dir: Path, data, states):
        self.seed_dir = seed_dir
        self.path = seed_dir / CATALOGUE_FILE
        self.states_path = seed_dir / MEMBER_STATES_FILE
        self.data = data
        self.states = states

    def fail(self, node, problem: str, path: Path | None = None):
        raise CatalogueError(path or self.path, getattr(node, "line", None), problem)

    def mapping(self, node, context: str, path: Path | None = None) -> dict:
        if not isinstance(node, dict):
            self.fail(node, f"{context} must be a mapping", path)
        return node

    def sequence(self, parent: dict, key: str, context: str) -> list:
        value = parent.get(key)
        if not isinstance(value, list):
            self.fail(parent, f"{context}: '{key}' must be a list")
        return value

    def text(self, node: dict, key: str, context: str, path: Path | None = None, limit: int = 5000) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(node, f"{context}: '{key}' must be non-empty text", path)
        if len(value) > limit:
            self.fail(node, f"{context}: '{key}' is longer than {limit} characters", path)
        return value.strip()

    def day(self, node: dict, key: str, context: str) -> date:
        value = node.get(key)
        if not isinstance(value, date):
            self.fail(node, f"{context}: '{key}' must be a date written YYYY-MM-DD")
        return value

    def catalogue(self) -> Catalogue:
        root = self.mapping(self.data, "the catalogue")
        briefing = self.briefing(root)
        source = self.source(root, briefing)
        themes = self.themes(root)
        entities = self.member_states() + self.entities(root)
        rounds = self.rounds(root)
        known = {code for code, _, _ in entities} | {MEMBER_STATES}
        sessions = self.sessions(root, source, themes, known)
        return Catalogue(briefing, source, themes, entities, rounds, sessions)

    def briefing(self, root: dict) -> dict:
        node = self.mapping(root.get("briefing"), "'briefing'")
        briefing = {key: self.text(node, key, "briefing") for key in ("code", "title", "body", "venue", "source_document")}
        briefing["date"] = self.day(node, "date", "briefing")
        if not _SLUG.match(briefing["code"]):
            self.fail(node, "briefing: 'code' must be lower-case letters, digits and hyphens")
        return briefing

    def source(self, root: dict, briefing: dict) -> SourceDocument:
        name = briefing["source_document"]
        if Path(name).name != name:
            self.fail(root.get("briefing"), "briefing: 'source_document' must be a file name in seed/")
        path = self.seed_dir / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            self.fail(root.get("briefing"), f"briefing: cannot read the source document {name}")
        headings = [s.get("heading") for s in root.get("sessions") or [] if isinstance(s, dict)]
        try:
            document = parse(text, [h for h in headings if isinstance(h, str)])
        except ValueError as exc:
            raise CatalogueError(path, None, str(exc)) from exc
        found = {p.session_heading for p in document.paragraphs}
        for session in root.get("sessions") or []:
            if isinstance(session, dict) and session.get("heading") not in found:
                self.fail(session, f"session heading {session.get('heading')!r} is not a heading of {name}")
        return document

    def themes(self, root: dict) -> dict[str, str]:
        themes: dict[str, str] = {}
        for node in self.sequence(root, "themes", "the catalogue"):
            node = self.mapping(node, "a theme")
            code = self.text(node, "code", "theme")
            if not _SLUG.match(code) or code in themes:
                self.fail(node, f"theme {code!r}: codes are unique lower-case slugs")
            themes[code] = self.text(node, "title", f"theme {code}")
        return themes

    def member_states(self) -> list[tuple[str, EntityKind, str]]:
        if not isinstance(self.states, list):
            self.fail(self.states, "the Member States must be a list", self.states_path)
        states = []
        for node in self.states:
            node = self.mapping(node, "a Member State", self.states_path)
            code = self.text(node, "code", "Member State", self.states_path)
            if not re.fullmatch(r"[A-Z]{3}", code):
                self.fail(node, f"Member State {code!r}: the code must be ISO 3166-1 alpha-3", self.states_path)
            states.append((code, EntityKind.member_state, self.text(node, "name", code, self.states_path)))
        return states

    def entities(self, root: dict) -> list[tuple[str, EntityKind, str]]:
        entities = []
        for node in self.sequence(root, "entities", "the catalogue"):
            node = self.mapping(node, "an entity")
            code = self.text(node, "code", "entity")
            if not _ENTITY_CODE.match(code):
                self.fail(node, f"entity {code!r}: codes are 2-20 upper-case letters, digits and hyphens")
            kind = node.get("kind")
            if kind not in {k.value for k in EntityKind} or kind == EntityKind.member_state.value:
                self.fail(node, f"entity {code}: 'kind' must be one of un_entity, international_org, committee, other")
            entities.append((code, EntityKind(kind), self.text(node, "name", f"entity {code}")))
        codes = [code for code, _, _ in self.member_states() + entities]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            self.fail(root, f"entity codes used twice: {', '.join(duplicates)}")
        return entities

    def rounds(self, root: dict) -> list[dict]:
        rounds = []
        for node in self.sequence(root, "rounds", "the catalogue"):
            node = self.mapping(node, "a round")
            code = self.text(node, "code", "round")
            spec = {
                "code": code,
                "title": self.text(node, "title", f"round {code}"),
                "due": self.day(node, "due", f"round {code}"),
                "meeting_date": self.day(node, "meeting_date", f"round {code}"),
            }
            if spec["due"] > spec["meeting_date"]:
                self.fail(node, f"round {code}: the cut-off falls after the meeting")
            rounds.append(spec)
        return rounds

    def sessions(self, root, source: SourceDocument, themes, known: set[str]) -> list[SessionSpec]:
        sessions: list[SessionSpec] = []
        item_codes: set[str] = set()
        for node in self.sequence(root, "sessions", "the catalogue"):
            node = self.mapping(node, "a session")
            code = self.text(node, "code", "session")
            if not re.fullmatch(r"[A-Z]{1,10}", code) or any(s.code == code for s in sessions):
                self.fail(node, f"session {code!r}: codes are unique upper-case letters")
            session = SessionSpec(code, self.text(node, "heading", f"session {code}"), self.text(node, "title", f"session {code}"))
            for item in self.sequence(node, "items", f"session {code}"):
                spec = self.item(self.mapping(item, f"an item of session {code}"), session, source, themes, known)
                if spec.code in item_codes:
                    self.fail(item, f"item {spec.code}: the code is used twice")
                item_codes.add(spec.code)
                session.items.append(spec)
            sessions.append(session)
        return sessions

    def item(self, node: dict, session: SessionSpec, source: SourceDocument, themes, known: set[str]) -> ItemSpec:
        code = self.text(node, "code", f"an item of session {session.code}")
        where = f"item {code}"
        if not _ITEM_CODE.match(code) or not code.startswith(session.code + "."):
            self.fail(node, f"{where}: the code must be '{session.code}.<number>'")
        kind = node.get("kind")
        if kind not in {k.value for k in RecommendationKind}:
            self.fail(node, f"{where}: 'kind' must be one of {', '.join(k.value for k in RecommendationKind)}")
        paragraph = node.get("paragraph")
        if not isinstance(paragraph, int) or isinstance(paragraph, bool) or source.paragraph(paragraph) is None:
            self.fail(node, f"{where}: 'paragraph' must be a paragraph number from 1 to {len(source.paragraphs)}")
        if source.paragraph(paragraph).session_heading != session.heading:
            self.fail(node, f"{where}: paragraph {paragraph} is not in {session.heading!r}")
        quote = self.text(node, "quote", where)
        if not source.contains(quote, paragraph):
            self.fail(node, f"{where}: the quote is not in paragraph {paragraph} of the source: {normalize(quote)[:80]!r}")
        item_themes = self.codes(node, "themes", where)
        unknown = [t for t in item_themes if t not in themes]
        if unknown:
            self.fail(node, f"{where}: unknown themes {', '.join(unknown)}")
        addressees = self.codes(node, "addressees", where)
        if not addressees:
            self.fail(node, f"{where}: 'addressees' must name at least one entity or member_states")
        unknown = [a for a in addressees if a not in known]
        if unknown:
            self.fail(node, f"{where}: unknown addressees {', '.join(unknown)}")
        return ItemSpec(
            code=code,
            kind=RecommendationKind(kind),
            text=self.text(node, "text", where),
            quote=quote,
            paragraph=paragraph,
            themes=item_themes,
            resolutions=self.codes(node, "resolutions", where),
            addressees=addressees,
            due=self.day(node, "due", where),
            due_note=self.text(node, "due_note", where),
        )

    def codes(self, node: dict, key: str, where: str) -> list[str]:
        value = node.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(node, f"{where}: '{key}' must be a list of text")
        if len(set(value)) != len(value):
            self.fail(node, f"{where}: '{key}' names something twice")
        return [v.strip() for v in value]
