"""Coordinator tests use the same small hospital as the support-flow tests."""

from tests.support.conftest import hospital

__all__ = ["hospital"]
