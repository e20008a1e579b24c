#!/usr/bin/env python3
"""Writes N Zendesk-like ticket RECORD messages (about 1 KB of text each, the shape of
source-zendesk-support's tickets stream) with a STREAM state every 10,000 records. Deterministic."""
import json
import random
import sys

n = int(sys.argv[1])
rng = random.Random(42)
words = ("order refund shipping delay account password reset invoice charge card declined login error app crash "
         "update version printer setup wifi connection slow subscription cancel upgrade plan billing address "
         "delivery damaged package replacement warranty support agent escalate urgent customer feedback thanks "
         "please help issue problem since yesterday again still not working tried restart cache browser phone").split()
out = sys.stdout
for i in range(n):
    desc = " ".join(rng.choice(words) for _ in range(150))
    subject = " ".join(rng.choice(words) for _ in range(6))
    ticket = {
        "id": 100000 + i, "url": f"https://example.zendesk.com/api/v2/tickets/{100000 + i}.json",
        "subject": subject, "raw_subject": subject, "description": desc,
        "status": rng.choice(["new", "open", "pending", "solved", "closed"]),
        "priority": rng.choice(["low", "normal", "high", "urgent"]), "type": "question",
        "requester_id": rng.randrange(10**9, 10**10), "assignee_id": rng.randrange(10**9, 10**10),
        "organization_id": rng.randrange(10**6), "group_id": rng.randrange(10**6), "brand_id": 360000001,
        "tags": rng.sample(words, 3), "is_public": True, "has_incidents": False,
        "created_at": "2024-01-01T10:00:00Z", "updated_at": "2024-01-02T10:00:00Z",
        "generated_timestamp": 1704189600 + i, "via": {"channel": "email"}, "custom_fields": [],
    }
    out.write(json.dumps({"type": "RECORD", "record": {"stream": "tickets", "data": ticket, "emitted_at": 1704189600000}}, separators=(",", ":")))
    out.write("\n")
    if i % 10000 == 9999:
        out.write(json.dumps({"type": "STATE", "state": {"type": "STREAM", "stream": {"stream_descriptor": {"name": "tickets"}, "stream_state": {"updated_at": i}}}}))
        out.write("\n")
