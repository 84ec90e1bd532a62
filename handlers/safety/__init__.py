"""Recognising risk in what people write: the shipped phrase lists (`phrases`) and the matcher
(`risk`). What happens then is the support flow's (`handlers.support.disclosure`); the crisis
lines kept in memory for outages are `handlers.core.crisis_lines`."""
