"""Quality-inspection results (the qa table): one item per closed conversation; a site's and
an agent's results by close time through their indexes (Query, never a full-table read)."""
from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters import models as m
from chalicelib.adapters.dynamo import now_ms, to_dict


class QaRepo:
    def put(self, conversation_id: str, site_key: str, agent_id: str | None, closed_at: int,
            score: int, result: dict) -> dict:
        item = m.QaResult(conversation_id=conversation_id, site_key=site_key,
                          agent_id=agent_id, closed_at=int(closed_at), score=int(score),
                          result=result, updated_at=now_ms())
        item.save()
        return to_dict(item)

    def get(self, conversation_id: str) -> dict | None:
        try:
            return to_dict(m.QaResult.get(conversation_id))
        except DoesNotExist:
            return None

    def _page(self, index, key: str, since: int, before: int, limit: int) -> list[dict]:
        cond = m.QaResult.closed_at.between(int(since), int(before) - 1)
        return [to_dict(x) for x in index.query(key, cond, scan_index_forward=False,
                                                limit=limit)]

    def by_site(self, site_key: str, since: int, before: int, limit: int = 50) -> list[dict]:
        """Newest first, closed in [since, before)."""
        return self._page(m.QaResult.site_index, site_key, since, before, limit)

    def by_agent(self, agent_id: str, since: int, before: int, limit: int = 50) -> list[dict]:
        return self._page(m.QaResult.agent_index, agent_id, since, before, limit)
