"""The loops that run beside the web app in `czujka serve` (and alone in `czujka worker`)."""

from __future__ import annotations

import threading
from functools import partial

from czujka.runtime import Runtime


def start_background(
    runtime: Runtime, stop: threading.Event, *, poll: bool = True, tick: bool = True
) -> list[threading.Thread]:
    """Scoring and detection, and Graph API polling; daemon threads that end when `stop` is set."""
    from czujka.analysis.service import score_forever
    from czujka.sources.service import poll_forever

    loops = [("scorer", partial(score_forever, tick=tick))] + ([("poller", poll_forever)] if poll else [])
    threads = [
        threading.Thread(target=fn, args=(runtime, stop), daemon=True, name=name) for name, fn in loops
    ]
    for thread in threads:
        thread.start()
    return threads
