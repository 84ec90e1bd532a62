"""Platform-neutral use cases, one package per domain; no Slack or Teams import belongs here.

Imports run one way, downwards: `core` and `safety` (which import no other domain), `roster`,
`support`, then `follow_up`, `pulse`, `privacy` and `reports`, and on top `chat`, which the
adapters in `bot/` call. A test walks the imports and fails on any circle.
"""
