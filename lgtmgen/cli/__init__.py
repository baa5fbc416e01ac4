"""The `lgtmgen` command line. Only this package prints.

Exit codes: 0 ok; 1 findings (invalid catalog, failing check, drift);
2 usage error; 3 internal error (one line; the traceback with --debug).
"""

from __future__ import annotations

import gc
import os
import sys
import traceback

from lgtmgen.cli.app import app, state

# A run allocates millions of short-lived objects and hardly any reference cycles; with the
# default threshold (700) the young generation is collected so often that a build of 1,000
# services spends a fifth of its time in the collector.
GC_THRESHOLD = (100_000, 20, 20)


def _hard_exit(code: int) -> None:
    """End without tearing down the interpreter's heap (a build's plan, up to a second):
    everything worth keeping is written and flushed by now."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`lgtmgen ... | head`), a closed stream
            pass
    os._exit(code)


def main() -> None:
    gc.set_threshold(*GC_THRESHOLD)
    try:
        app(standalone_mode=True)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            _hard_exit(exc.code or 0)
        raise
    except KeyboardInterrupt:
        print("lgtmgen: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place an unexpected error becomes exit code 3
        if state.debug:
            traceback.print_exc()
        else:
            print(
                f"lgtmgen: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                file=sys.stderr,
            )
        sys.exit(3)


__all__ = ["app", "main"]
