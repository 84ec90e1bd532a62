"""The roster."""
