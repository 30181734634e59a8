"""Loaded (through PYTHONPATH) only by .ci/faketime/run, in processes under libfaketime.

libfaketime 0.9.10 (Debian 12) with FAKETIME_DONT_FAKE_MONOTONIC=1 turns
``clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`` deadlines into negative
times, so CPython's ``time.sleep`` fails with EINVAL. Without that variable the
monotonic clock is faked too, and every lock or Event wait with a timeout hangs
(``sem_clockwait`` is not wrapped). So monotonic time stays real and sleeping
goes through ``select``, whose relative timeout libfaketime passes through.
The wall clock (``time.time``, ``datetime.now``) stays faked: that is the test.
"""
import os
import select
import time

if "faketime" in os.environ.get("LD_PRELOAD", ""):
    def _sleep(seconds):
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        select.select([], [], [], seconds)

    time.sleep = _sleep
