"""The assertions for a suite's own tests: `from streamscope.assertions import assert_rendering`.

This name is the public one; the helpers live with the pytest plugin (plugin/assertions.py)."""

from streamscope.plugin.assertions import (
    assert_incremental,
    assert_not_incremental,
    assert_rendering,
)

__all__ = ["assert_incremental", "assert_not_incremental", "assert_rendering"]
