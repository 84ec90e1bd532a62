"""Platform-neutral use cases: no Slack or Teams import belongs here."""
