"""The demo server's memory while it sends 1 GiB, streamed and, for contrast, buffered."""

from __future__ import annotations

import time

import psutil

from bench.procs import BenchError, MemorySampler, drain, python_server, read_kib, reset_peak_rss

MIB = 1024 * 1024
ITEMS, ITEM_BYTES = 1024, MIB  # 1 GiB in all
QUERY = f"count={ITEMS}&item_bytes={ITEM_BYTES}&delay=0"
STREAMED = ("server", f"/probe?{QUERY}")  # the demo server itself, as `python -m server` runs it
BUFFERED = ("bench.apps", f"/bench/buffered?{QUERY}")
# Loads what a first request loads (Flask's lazy imports, one item), so it is not counted as growth.
WARM_UP = "/probe?count=2&item_bytes=1048576&delay=0"


def rss_growth_mib(module: str, path: str) -> float:
    """Peak RSS minus the RSS before the request, for `path` served by `python -m module`.

    A raw client reads and discards the body. The peak is VmHWM, reset to the baseline just
    before the request, and the RSS sampled every 10 ms where the kernel cannot reset VmHWM.
    """
    with python_server(module) as (pid, url):
        drain(url + WARM_UP)
        time.sleep(0.2)
        baseline = read_kib(pid, "VmRSS")
        if baseline is None:
            raise BenchError(f"python -m {module} ended before the request")
        exact_peak = reset_peak_rss(pid)
        server = psutil.Process(pid)
        with MemorySampler(lambda: [server], interval_s=0.01) as sampler:
            _, size = drain(url + path)
        if size != ITEMS * ITEM_BYTES:
            raise BenchError(f"{path} sent {size} bytes, not {ITEMS * ITEM_BYTES}")
        peak = sampler.peak_rss_kib
        if exact_peak:
            peak = max(peak, read_kib(pid, "VmHWM") or 0)
    return (peak - baseline) / 1024


def streamed_growth_mib() -> float:
    return rss_growth_mib(*STREAMED)


def buffered_growth_mib() -> float:
    return rss_growth_mib(*BUFFERED)
