"""Process settings (environment and `.env`) and organisation defaults."""

from config.settings import ConfigError, Settings, load_settings

__all__ = ["ConfigError", "Settings", "load_settings"]
