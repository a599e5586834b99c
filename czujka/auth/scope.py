"""Which clients a user or an API token may see: every client (agency-wide), or a list of them.

A client's user sees only that client's profiles and everything hanging from them (comments, incidents,
replies, the moderation queue, charts, on-call). Anything of another client answers as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from czujka.config import Settings


class ScopeError(ValueError):
    """A list of clients that names an unknown one."""


@dataclass(frozen=True, slots=True)
class Scope:
    clients: frozenset[str] | None = None  # None: every client

    @property
    def everything(self) -> bool:
        return self.clients is None

    def sees_client(self, client_id: str | None) -> bool:
        return self.clients is None or client_id in self.clients

    def sees_shared(self, client_id: str | None) -> bool:
        """For on-call things: the agency's (no client) serve every client, so every user sees them."""
        return client_id is None or self.sees_client(client_id)

    def sees_profile(self, settings: Settings, profile_id: str | None) -> bool:
        if self.clients is None:
            return True
        return (
            profile_id is not None
            and settings.profile(profile_id) is not None
            and (settings.client_of(profile_id) in self.clients)
        )

    def profiles(self, settings: Settings) -> list[str] | None:
        """The profile ids this scope sees; None when it sees every profile (no filter needed)."""
        return None if self.clients is None else settings.profiles_of(self.clients)


EVERY_CLIENT = Scope()


def scope_of(clients: Iterable[str] | None) -> Scope:
    return EVERY_CLIENT if clients is None else Scope(frozenset(clients))


def parse_clients(settings: Settings, text: str | None) -> list[str] | None:
    """`a,b` from a command line, checked against the configured clients; None: every client."""
    if text is None:
        return None
    chosen = [c.strip() for c in text.split(",") if c.strip()]
    known = [c.id for c in settings.all_clients]
    if not chosen:
        raise ScopeError(f"--clients names no client (known: {', '.join(known)})")
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise ScopeError(f"--clients: no client {unknown[0]!r} (known: {', '.join(known)})")
    return list(dict.fromkeys(chosen))
