"""Bot brain: FAQ matching, handoff detection, slots, flows, learning, KB CSV (pure Python)."""
from .bot import Bot, BotReply
from .flows import FlowEngine, FlowReply, safe_format
from .handoff import is_handoff_request
from .kbcsv import ImportResult, export_csv, import_csv
from .learning import Proposal, find_duplicate_entries, propose_entries
from .matcher import KBEntry, Matcher, MatchResult, clear_cache, get_matcher
from .slots import SlotSpec, extract_slots

__all__ = [
    "Bot", "BotReply", "FlowEngine", "FlowReply", "safe_format", "is_handoff_request",
    "ImportResult", "export_csv", "import_csv", "Proposal", "find_duplicate_entries",
    "propose_entries", "KBEntry", "Matcher", "MatchResult", "clear_cache", "get_matcher",
    "SlotSpec", "extract_slots",
]
