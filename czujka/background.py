"""The loops that run beside the web app in `czujka serve` (and alone in `czujka worker`)."""

from __future__ import annotations

import threading
from functools import partial

from czujka.runtime import Runtime


def start_background(
    runtime: Runtime,
    stop: threading.Event,
    *,
    poll: bool = True,
    tick: bool = True,
    page: bool = True,
    score: bool = True,
) -> list[threading.Thread]:
    """Scoring and detection, paging (escalator and sender), and Graph API polling; daemon threads that end
    when `stop` is set."""
    from czujka.analysis.service import score_forever
    from czujka.oncall.worker import escalate_forever, send_forever
    from czujka.sources.service import poll_forever

    loops = [("scorer", partial(score_forever, tick=tick))] if score else []
    if page:
        loops += [("escalator", escalate_forever), ("sender", send_forever)]
    if poll:
        loops.append(("poller", poll_forever))
    threads = [
        threading.Thread(target=fn, args=(runtime, stop), daemon=True, name=name) for name, fn in loops
    ]
    for thread in threads:
        thread.start()
    return threads
