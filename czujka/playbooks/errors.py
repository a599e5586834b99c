"""What went wrong when Meta refused a reply, in words the person on duty can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from czujka.sources.graph import GraphError, RateLimited, TokenExpired
from czujka.words import N_, gettext

# code: what went wrong, and what to do (a catalog message)
WORDS: dict[str, str] = {
    "token": N_(
        "The page's access token has expired or was revoked. An admin must connect the page again; until "
        "then, reply in Meta's app."
    ),
    "permission": N_(
        "czujka lacks the permission to reply on this page (pages_manage_engagement or "
        "instagram_manage_comments). Ask the page's admin to grant it; for now, reply in Meta's app."
    ),
    "deleted": N_(
        "This comment no longer exists (its author deleted it, or it was hidden). There is nothing to "
        "reply to."
    ),
    "rate_limited": N_(
        "Meta is limiting how many replies this page may post right now. Wait %(minutes)s min and send again."
    ),
    "blocked": N_(
        "Meta has temporarily blocked the page from posting (spam protection). Reply later or in Meta's app."
    ),
    "already_private": N_("This comment already got a private reply: Meta allows only one."),
    "refused": N_("Meta refused the reply: %(detail)s"),
    "network": N_("Meta could not be reached; the reply was not sent. Try again in a moment."),
    "lost_answer": N_(
        "Meta's answer was lost: the reply may have been posted. Check the thread before sending it again."
    ),
}


@dataclass(frozen=True, slots=True)
class Explained:
    code: str
    detail: str
    minutes: int = 0

    def message(self, language: str) -> str:
        return gettext(WORDS[self.code], language, minutes=self.minutes or 15, detail=self.detail)

    def as_row(self) -> dict[str, str]:
        return {"error_code": self.code, "error": self.message("en")}


def explain(exc: GraphError) -> Explained:
    code, subcode = exc.code, exc.subcode
    if isinstance(exc, TokenExpired):
        return Explained("token", str(exc))
    if isinstance(exc, RateLimited):
        return Explained(
            "rate_limited", str(exc), max(1, round(exc.retry_after / 60)) if exc.retry_after else 15
        )
    if exc.permission_denied:
        return Explained("permission", str(exc))
    if code == 100 and subcode == 33:
        return Explained("deleted", str(exc))
    if code == 368:
        return Explained("blocked", str(exc))
    if code == 10900:
        return Explained("already_private", str(exc))
    return Explained("refused", str(exc))


def message_of(code: str | None, stored: str | None, language: str) -> str | None:
    """A stored failure in the reader's language (the row keeps the English words)."""
    if code is None:
        return stored
    if code == "refused" or code not in WORDS:
        return stored
    minutes = re.search(r"Wait (\d+) min", stored or "")
    return Explained(code, "", int(minutes.group(1)) if minutes else 0).message(language)
