"""The support flow."""
