"""Time parsing, lgtmgen.promql.nodes and rule hygiene on one long chain of additions, beside
promql_parser.walk over the same tree.

promql_parser.walk converts every subtree it visits into Python objects again, which grows with the
square of the chain's length (18 s at 400 terms, hence lgtmgen.promql.nodes); the tests count the
nodes a walk visits (a fixed number of visits a node), this prints the seconds. promql_parser's own
parse and attribute access still grow faster than the chain: milliseconds at the nesting limit.
Usage: ``python benchmarks/promql_walk.py [terms...]`` (default 100 200 390; 400 is the nesting limit);
``--with-walk`` times promql_parser.walk too (seconds to minutes at the larger sizes).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import promql_parser

from lgtmgen.checks.rule_hygiene import rule_findings
from lgtmgen.promql import nodes


def chain(terms: int) -> str:
    return " + ".join(["rate(up[5m])"] * terms)


def seconds(action: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    action(*args)
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    with_walk = "--with-walk" in argv
    sizes = [int(a) for a in argv if a != "--with-walk"] or [100, 200, 390]
    print("| terms | parse (s) | nodes (s) | rule hygiene (s) |" + (" promql_parser.walk (s) |" if with_walk else ""))
    print("|---:|---:|---:|---:|" + ("---:|" if with_walk else ""))
    for terms in sizes:
        expr = chain(terms)
        parsing = seconds(promql_parser.parse, expr)
        tree = promql_parser.parse(expr)
        walking = seconds(list, nodes(tree))
        hygiene = seconds(rule_findings, {"record": "a:b:c", "expr": expr}, "g", "f", 60.0)
        row = f"| {terms} | {parsing:.4f} | {walking:.4f} | {hygiene:.4f} |"
        if with_walk:
            row += f" {seconds(promql_parser.walk, tree, lambda node: None):.3f} |"
        print(row)


if __name__ == "__main__":
    main(sys.argv[1:])
