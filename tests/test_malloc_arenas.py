"""The CLI's cap on glibc's malloc arenas: set where the C library has the knob."""

import platform

from streamscope.run.malloc_arenas import cap_malloc_arenas


def test_glibc_takes_the_cap_and_other_c_libraries_are_left_alone():
    capped = cap_malloc_arenas()
    assert capped is (platform.libc_ver()[0] == "glibc")
