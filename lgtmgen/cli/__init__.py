"""The `lgtmgen` command line. Only this package prints.

Exit codes: 0 ok; 1 findings (invalid catalog, failing check, drift);
2 usage error; 3 internal error (one line; the traceback with --debug).
"""

from __future__ import annotations

import sys
import traceback

from lgtmgen.cli.app import app, state


def main() -> None:
    try:
        app(standalone_mode=True)
    except SystemExit:
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
