"""The one error a misconfiguration raises."""


class ConfigError(Exception):
    """A setting is wrong or missing; the message is one line meant for an operator."""
