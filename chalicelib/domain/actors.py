"""Who is acting: a visitor (scoped to one visitor id) or an agent (with a role)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    kind: str                      # "visitor" | "agent"
    id: str
    site_key: str | None = None
    role: str | None = None
    name: str | None = None
    connection_id: str | None = None
    teams: tuple = field(default_factory=tuple)
    session_id: str | None = None  # agents: the sign-in this token belongs to
    session_ends: int | None = None  # agents: its absolute end (seconds)
    source_ip: str | None = None   # where the request came from (audit)

    @property
    def is_agent(self) -> bool:
        return self.kind == "agent"

    @property
    def is_supervisor(self) -> bool:
        return self.kind == "agent" and self.role in ("supervisor", "admin")

    @property
    def participant_key(self) -> str:
        return "visitor" if self.kind == "visitor" else self.id
