"""Report tests use the support-flow hospital, and rows written straight into the tables."""

from tests.support.conftest import hospital

__all__ = ["hospital"]
