"""PromQL the parser would die on is refused before it reaches the parser.

The parser recurses once per bracket and once per binary operator; some thousands overflow its
stack and the process ends with a segmentation fault (exit 139, no diagnostic, no report).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from lgtmgen.promql import MAX_NESTING, syntax_error

TOO_DEEP = {
    "brackets": "(" * 20_000 + "up" + ")" * 20_000,
    "an operator chain": " + ".join(["up"] * 6_000),
    "brackets after a quote in a comment": '# "\n' + "(" * 20_000 + "up" + ")" * 20_000 + '\n# "',
    "keyword operators": " or ".join(["up"] * 6_000),
    "brackets after a comment ended by a carriage return": "# x\r" + "(" * 30_000 + "up" + ")" * 30_000,
}


@pytest.mark.parametrize("expr", TOO_DEEP.values(), ids=TOO_DEEP.keys())
def test_an_expression_nested_past_the_limit_is_a_syntax_error_not_a_crash(expr: str) -> None:
    # In a child process: were the guard gone, the parser would kill it, not the test run.
    code = "from lgtmgen.promql import syntax_error; import sys; print(syntax_error(sys.stdin.read()))"
    run = subprocess.run([sys.executable, "-c", code], input=expr, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert f"nests deeper than {MAX_NESTING} levels" in run.stdout


def test_deep_but_ordinary_expressions_and_strings_full_of_brackets_still_parse() -> None:
    assert syntax_error("(" * 300 + "up" + ")" * 300) is None
    assert syntax_error(" + ".join(["up"] * 300)) is None
    assert syntax_error(" + ".join(["up"] * 390)) is None  # just below the limit: the checks walk it fast
    assert syntax_error('up{path="' + "(" * 5_000 + '"}') is None  # brackets in a string are text
