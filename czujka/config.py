"""Settings: environment (CZUJKA_*), .env and czujka.toml, read in this one place.

Precedence, highest first: explicit arguments, environment, `.env`, the `[service]` table of czujka.toml,
defaults. Secrets in the file are written as `"env:NAME"` and read from the environment, so the file can be
committed to an operator's own repository.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import typing
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from czujka.detection.base import SURGE_P_VALUE
from czujka.moderation.config import ModerationRuleConfig, weekly_moment
from czujka.oncall.config import (
    PersonConfig,
    PolicyConfig,
    RouteConfig,
    ScheduleConfig,
    check_clients,
    check_references,
    check_targets,
)
from czujka.playbooks.config import ApprovalConfig, Phrase, PlaybookConfig, phrase
from czujka.validators import PROFILE_ID, check_timezone, resolve_secret

CONFIG_ENV = "CZUJKA_CONFIG"
DEFAULT_CONFIG = Path("czujka.toml")
SurgePValue = Annotated[float, Field(gt=0, lt=0.1)]


class ConfigError(Exception):
    """A configuration that cannot be used; `problems` lists `(where, reason)` pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {where}: {reason}" for where, reason in problems))


# The one client of an install that names none: a single shop.
IMPLICIT_CLIENT = "shop"


class ClientConfig(BaseModel):
    """A brand an agency watches; its profiles, people and incidents are seen only by its own users."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=PROFILE_ID)
    name: str = Field(min_length=1)
    timezone: str | None = None
    language: Literal["pl", "en"] | None = None
    digest_to: list[str] = Field(default_factory=list)  # who gets the client's weekly digest

    _digest_to = field_validator("digest_to")(check_targets)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class ProfileConfig(BaseModel):
    """One watched social account."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=PROFILE_ID)
    name: str
    client: str | None = None  # the client it belongs to; required once [[clients]] exist
    platform: Literal["facebook", "instagram", "generic"]
    platform_id: str = Field(min_length=1)
    timezone: str | None = None
    access_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    username: str | None = None
    competitors: list[str] = Field(default_factory=list)
    poll: bool = True
    surge_p_value: SurgePValue | None = None
    contact: Phrase | None = None  # where replies invite people to write: "na Messengerze albo na pomoc@…"
    approval: ApprovalConfig | None = None
    trusted_authors: list[str] = Field(default_factory=list)  # author ids or names no moderation rule touches
    review_leads: list[str] = Field(
        default_factory=list
    )  # who gets the review digest: person:/role:/schedule:
    digest_to: list[str] = Field(default_factory=list)  # who gets the profile's weekly digest

    _resolve = field_validator("access_token", "webhook_secret", mode="before")(resolve_secret)
    _contact = field_validator("contact", mode="before")(phrase)
    _review_leads = field_validator("review_leads", "digest_to")(check_targets)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class Settings(BaseSettings):
    """Everything czujka reads from the outside world; built once and passed explicitly."""

    model_config = SettingsConfigDict(
        env_prefix="CZUJKA_", env_file=".env", env_file_encoding="utf-8", extra="forbid"
    )

    data_dir: Path = Field(Path("czujka-data"), description="Where the SQLite database and state live.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite in data_dir.")
    timezone: str = Field("Europe/Warsaw", description="Default time zone of profiles, people, schedules.")
    language: Literal["pl", "en"] = Field("pl", description="Default language of pages and messages.")
    public_url: str = Field("http://127.0.0.1:8000", description="Address people reach the service at.")
    host: str = Field("127.0.0.1", description="Address `czujka serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `czujka serve` listens on.")
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Log level.")
    meta_verify_token: SecretStr | None = Field(None, description="Token Meta echoes in the GET handshake.")
    meta_app_secret: SecretStr | None = Field(None, description="App secret that signs Meta deliveries.")
    meta_app_id: str | None = Field(
        None, pattern=r"^\d+$", description="The Meta app's id, for Facebook Login and app tokens."
    )
    meta_login_url: str = Field(
        "https://www.facebook.com", description="Where the Facebook Login dialog is served."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key that seals stored Page tokens (32+ characters; several comma-separated to rotate); "
        "default: secret.key made once in data_dir.",
    )
    graph_api_version: str = Field("v24.0", pattern=r"^v\d+\.\d+$", description="Graph API version.")
    graph_base_url: str = Field("https://graph.facebook.com", description="Graph API base address.")
    poll_interval_seconds: int = Field(300, ge=10, description="Seconds between Graph API polls.")
    poll_lookback_days: int = Field(7, ge=1, le=90, description="Posts this recent are polled for comments.")
    channel_down_after_minutes: float = Field(
        30.0, gt=0, description="Polls failing this long open a channel_down incident."
    )
    channel_silence_p_value: float = Field(
        0.001,
        gt=0,
        lt=0.1,
        description="How improbable a profile's silence must be, for its hours of the week, to count as down.",
    )
    worker_lease_seconds: int = Field(
        15,
        ge=3,
        le=600,
        description="How long a worker owns a profile's detectors or a claimed batch without renewing: a "
        "dead worker's work moves to another after this.",
    )
    max_body_bytes: int = Field(5_000_000, ge=1024, description="Largest webhook body accepted.")
    incident_quiet_hours: float = Field(
        3.0, gt=0, description="An incident with no new signal this long resolves."
    )
    surge_p_value: SurgePValue = Field(
        SURGE_P_VALUE,
        description="How improbable for its hour of the week a count must be to open a surge incident: "
        "larger pages sooner and more often wrongly.",
    )
    clients: list[ClientConfig] = Field(
        default_factory=list, description="Brands an agency watches; none: one shop, an implicit client."
    )
    profiles: list[ProfileConfig] = Field(default_factory=list, description="Watched profiles.")
    people: list[PersonConfig] = Field(default_factory=list, description="People who can be paged.")
    schedules: list[ScheduleConfig] = Field(default_factory=list, description="Who is on duty when.")
    escalation_policies: list[PolicyConfig] = Field(default_factory=list, description="Chains of command.")
    routes: list[RouteConfig] = Field(default_factory=list, description="Which policy handles what.")
    moderation_rules: list[ModerationRuleConfig] = Field(
        default_factory=list, description="What to hide, delete or flag at once, and when."
    )
    moderation_max_age_hours: float = Field(
        24.0,
        gt=0,
        description="Comments written longer ago than this when scored (imports, backfills, rescoring) are "
        "never moderated.",
    )
    moderation_review_at: str = Field(
        "mon 08:30", description="When the review digest goes to each profile's review_leads (local time)."
    )
    digest_at: str = Field(
        "mon 08:00",
        description="When the weekly digest of the week before goes to each profile's and client's digest_to "
        "(local time).",
    )
    playbooks: list[PlaybookConfig] = Field(
        default_factory=list, description="The shop's own playbooks; they replace the defaults they match."
    )
    page_max_age_minutes: float = Field(
        60.0,
        gt=0,
        description="Incidents whose newest signal is older than this (replays, imports) wait for a fresh one.",
    )
    high_urgency_min_severity: int = Field(
        2, ge=1, le=4, description="Incidents this severe use people's high-urgency channels."
    )
    notify_attempts: int = Field(3, ge=1, le=10, description="Tries per channel before the next channel.")
    notify_retry_seconds: float = Field(10.0, gt=0, description="First retry delay; doubles each try.")
    notify_timeout_seconds: float = Field(15.0, gt=0, description="Longest wait for one channel to answer.")
    ack_link_hours: float = Field(24.0, gt=0, description="How long a one-tap acknowledge link works.")
    vapid_private_key: SecretStr | None = Field(
        None, description="Web Push VAPID private key (PEM or base64url); generated and stored if unset."
    )
    vapid_subject: str = Field(
        "mailto:czujka@localhost", description="Contact sent to push services with every Web Push."
    )
    _resolve = field_validator(
        "meta_verify_token", "meta_app_secret", "vapid_private_key", "secret_key", mode="before"
    )(resolve_secret)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)

    @model_validator(mode="after")
    def _unique_profiles(self) -> Settings:
        seen: dict[str, int] = {}
        pairs: set[tuple[str, str]] = set()
        for i, profile in enumerate(self.profiles):
            if profile.id in seen:
                raise ValueError(f"profiles[{i}]: id {profile.id!r} is used twice")
            seen[profile.id] = i
            pair = (profile.platform, profile.platform_id)
            if pair in pairs:
                raise ValueError(f"profiles[{i}]: {profile.platform} id {profile.platform_id} is used twice")
            pairs.add(pair)
        return self

    @model_validator(mode="after")
    def _clients(self) -> Settings:
        known = [c.id for c in self.clients]
        for i, client in enumerate(self.clients):
            if client.id in known[:i]:
                raise ValueError(f"clients[{i}]: id {client.id!r} is used twice")
        for i, profile in enumerate(self.profiles):
            if not self.clients:
                if profile.client not in (None, IMPLICIT_CLIENT):
                    raise ValueError(
                        f"profiles[{i}].client: no client {profile.client!r} (there are no [[clients]])"
                    )
            elif profile.client is None:
                raise ValueError(f"profiles[{i}].client: which client is it? (known: {', '.join(known)})")
            elif profile.client not in known:
                raise ValueError(
                    f"profiles[{i}].client: no client {profile.client!r} (known: {', '.join(known)})"
                )
        return self

    @model_validator(mode="after")
    def _unique_playbooks(self) -> Settings:
        seen: set[str] = set()
        for i, playbook in enumerate(self.playbooks):
            if playbook.id in seen:
                raise ValueError(f"playbooks[{i}]: id {playbook.id!r} is used twice")
            seen.add(playbook.id)
        return self

    @model_validator(mode="after")
    def _moderation(self) -> Settings:
        known = {p.id for p in self.profiles}
        seen: set[str] = set()
        for i, rule in enumerate(self.moderation_rules):
            if rule.id in seen:
                raise ValueError(f"moderation_rules[{i}]: id {rule.id!r} is used twice")
            seen.add(rule.id)
            unknown = sorted(set(rule.profiles or []) - known)
            if unknown:
                raise ValueError(f"moderation_rules[{i}].profiles: no profile {unknown[0]!r}")
        for key in ("moderation_review_at", "digest_at"):
            try:
                weekly_moment(getattr(self, key))
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
        return self

    @model_validator(mode="after")
    def _oncall_references(self) -> Settings:
        problems = check_references(
            people=self.people,
            schedules=self.schedules,
            policies=self.escalation_policies,
            routes=self.routes,
            profiles={p.id for p in self.profiles},
            targets={
                **{
                    f"profiles[{i}].{key}": leads
                    for i, p in enumerate(self.profiles)
                    for key, leads in (
                        ("approval.leads", p.approval.leads if p.approval else []),
                        ("review_leads", p.review_leads),
                        ("digest_to", p.digest_to),
                    )
                },
                **{f"clients[{i}].digest_to": c.digest_to for i, c in enumerate(self.clients)},
                **{
                    f"schedules[{i}].approve_changes": s.approve_changes for i, s in enumerate(self.schedules)
                },
            },
        )
        if self.clients:
            problems += check_clients(
                clients={c.id for c in self.clients},
                profile_clients={p.id: self.client_of(p.id) for p in self.profiles},
                people=self.people,
                schedules=self.schedules,
                policies=self.escalation_policies,
                routes=self.routes,
                leads={
                    **{
                        f"profiles[{i}].{key}": (self.client_of(p.id), leads)
                        for i, p in enumerate(self.profiles)
                        for key, leads in (
                            ("approval.leads", p.approval.leads if p.approval else []),
                            ("review_leads", p.review_leads),
                            ("digest_to", p.digest_to),
                        )
                    },
                    **{f"clients[{i}].digest_to": (c.id, c.digest_to) for i, c in enumerate(self.clients)},
                    **{
                        f"schedules[{i}].approve_changes": (s.client, s.approve_changes)
                        for i, s in enumerate(self.schedules)
                    },
                },
            )
        if problems:
            raise ValueError("; ".join(problems))
        # The pure on-call functions take one schedule or person, so the service defaults are filled in here.
        self.schedules = [
            s.model_copy(update={"timezone": s.timezone or self.timezone}) for s in self.schedules
        ]
        self.people = [
            p.model_copy(
                update={"timezone": p.timezone or self.timezone, "language": p.language or self.language}
            )
            for p in self.people
        ]
        return self

    def person(self, person_id: str) -> PersonConfig | None:
        return next((p for p in self.people if p.id == person_id), None)

    def schedule(self, schedule_id: str) -> ScheduleConfig | None:
        return next((s for s in self.schedules if s.id == schedule_id), None)

    def policy(self, policy_id: str) -> PolicyConfig | None:
        return next((p for p in self.escalation_policies if p.id == policy_id), None)

    @property
    def sqlalchemy_url(self) -> str:
        """The database address, with the driver czujka uses for PostgreSQL."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'czujka.db'}"
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    def profile(self, profile_id: str) -> ProfileConfig | None:
        return next((p for p in self.profiles if p.id == profile_id), None)

    @property
    def agency(self) -> bool:
        """Several brands (explicit [[clients]]), rather than one shop."""
        return bool(self.clients)

    @property
    def all_clients(self) -> list[ClientConfig]:
        """The clients, with the implicit one of a single shop while any profile belongs to no client
        (a shop that began creating clients on the dashboard keeps its own profiles there)."""
        loose = [p for p in self.profiles if p.client is None]
        if self.clients and not loose:
            return list(self.clients)
        implicit = ClientConfig(id=IMPLICIT_CLIENT, name=loose[0].name if loose else IMPLICIT_CLIENT)
        return [implicit, *self.clients]

    def client(self, client_id: str) -> ClientConfig | None:
        return next((c for c in self.all_clients if c.id == client_id), None)

    def client_of(self, profile_id: str) -> str:
        """The client a profile belongs to (the implicit one for a single shop or an unknown profile)."""
        profile = self.profile(profile_id)
        return (profile.client if profile else None) or IMPLICIT_CLIENT

    def client_name_of(self, profile_id: str) -> str | None:
        """For an agency, the name of the client a profile belongs to; a single shop names none."""
        if not self.agency:
            return None
        client = self.client(self.client_of(profile_id))
        return client.name if client else None

    def profiles_of(self, clients: frozenset[str] | None) -> list[str]:
        """The ids of the profiles of these clients (None: every client)."""
        return [p.id for p in self.profiles if clients is None or self.client_of(p.id) in clients]

    def timezone_of(self, profile_id: str) -> str:
        """The profile's time zone name, or the service default for an unknown or zoneless profile."""
        profile = self.profile(profile_id)
        return (profile.timezone if profile else None) or self.timezone

    def surge_p_value_of(self, profile_id: str) -> float:
        """The profile's own surge threshold, or the service default."""
        profile = self.profile(profile_id)
        own = profile.surge_p_value if profile else None
        return self.surge_p_value if own is None else own

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, dotenv_settings, _TomlSource(settings_cls))


_toml_values: ContextVar[dict[str, Any] | None] = ContextVar("czujka_toml_values", default=None)


class _TomlSource(PydanticBaseSettingsSource):
    """The czujka.toml values that `load_settings` read, below the environment and `.env`."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return (_toml_values.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_toml_values.get() or {})


TOP_LEVEL_TABLES = {
    "service",
    "clients",
    "profiles",
    "people",
    "schedules",
    "escalation_policies",
    "routes",
    "playbooks",
    "moderation_rules",
}
PLAYBOOK_FOLDER = "playbooks"  # beside czujka.toml: each *.toml in it holds [[playbooks]]


def config_path(explicit: Path | None = None) -> Path | None:
    """`--config FILE`, else CZUJKA_CONFIG, else ./czujka.toml when it exists."""
    if explicit is not None:
        return explicit
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def read_toml(path: Path) -> dict[str, Any]:
    """The file as the settings' keyword arguments; the `[service]` table is flattened."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), [("file", "does not exist")]) from None
    except IsADirectoryError:
        raise ConfigError(str(path), [("file", "is a folder, not a file")]) from None
    except PermissionError:
        raise ConfigError(str(path), [("file", "cannot be read by this user")]) from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(
            str(path), [(f"line {line}", "is not UTF-8 text; save the file as UTF-8")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [("syntax", str(exc))]) from None
    unknown = sorted(set(raw) - TOP_LEVEL_TABLES)
    if unknown:
        allowed = ", ".join(sorted(TOP_LEVEL_TABLES))
        raise ConfigError(str(path), [(key, f"unknown table (known: {allowed})") for key in unknown])
    values = dict(raw.pop("service", {}))
    values.update(raw)
    extra = _playbook_files(path.parent / PLAYBOOK_FOLDER)
    if extra:
        values["playbooks"] = list(values.get("playbooks", [])) + extra
    return values


def _playbook_files(folder: Path) -> list[dict[str, Any]]:
    """The playbooks of every `*.toml` in `folder`, each file checked on its own so a problem names it."""
    found: list[dict[str, Any]] = []
    for file in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(str(file), [("syntax", str(exc))]) from None
        unknown = sorted(set(data) - {"playbooks"})
        if unknown or not isinstance(data.get("playbooks", []), list):
            raise ConfigError(
                str(file),
                [(key, "a playbook file holds only [[playbooks]]") for key in unknown or ["playbooks"]],
            )
        for i, item in enumerate(data.get("playbooks", [])):
            try:
                PlaybookConfig.model_validate(item)
            except ValidationError as exc:
                problems = [
                    (_where(("playbooks", i, *err["loc"]), set()), err["msg"].removeprefix("Value error, "))
                    for err in exc.errors(include_input=False, include_url=False)
                ]
                raise ConfigError(str(file), problems) from None
            found.append(item)
    return found


def _where(loc: tuple[Any, ...], toml_keys: set[str]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(str(item))
    if parts and parts[0] in toml_keys and parts[0] not in TOP_LEVEL_TABLES:
        parts.insert(0, "service")
    return ".".join(parts) or "file"


def _unknown_key(loc: tuple[Any, ...]) -> str:
    """'unknown key', with the closest known one when the key looks like a typo of it."""
    model: Any = Settings
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if isinstance(model, type) else None
        model = _model_of(field.annotation) if field else None
        if model is None:
            return "unknown key"
    known = list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []
    close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
    return f"unknown key; did you mean {close[0]!r}?" if close else f"unknown key (known: {', '.join(known)})"


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model inside `X`, `list[X]` or `X | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings; every problem is reported at once with where it is and why, never a value."""
    path = config_path(path)
    values: dict[str, Any] = read_toml(path) if path else {}
    token = _toml_values.set(values)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_input=False, include_url=False):
            reason = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                reason = _unknown_key(err["loc"])
            problems.append((_where(err["loc"], set(values)), reason))
        raise ConfigError(str(path) if path else "environment", problems) from None
    finally:
        _toml_values.reset(token)
