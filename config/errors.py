"""The one error a wrong setting raises, in a module of its own so that code which only needs to
catch it (the command line's entry point) does not import pydantic-settings."""


class ConfigError(Exception):
    """A setting is wrong or missing; the message is one line meant for an operator."""
