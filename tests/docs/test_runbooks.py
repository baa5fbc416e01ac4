"""Runbook pages: one per service, a section per SLO alert, anchors matching the alerts' runbook_url."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from lgtmgen.pipeline import compile_catalog

CATALOG = """\
apiVersion: lgtmgen/v1
teams: [{name: web, notify: {slack: {channel: "#web", api_url_file: /etc/secrets/slack}}}]
tenants: [{name: prod}]
services:
  - name: api
    team: web
    tenant: prod
    slos:
      - {name: availability, objective: 99.9, sli: {kind: availability}}
  - name: "quoted \\"{{name}}\\""
    team: web
    tenant: prod
    depends_on: [api]
"""


def _bundle(tmp_path: Path, catalog: str = CATALOG) -> dict[str, bytes]:
    (tmp_path / "c.yaml").write_text(catalog, encoding="utf-8")
    compiled = compile_catalog([tmp_path / "c.yaml"])
    assert compiled.bundle is not None, compiled.diagnostics
    return compiled.bundle.contents()


def test_every_service_gets_a_runbook_and_the_slo_alert_link_points_at_its_section(tmp_path: Path) -> None:
    files = _bundle(tmp_path)
    runbooks = sorted(p for p in files if p.startswith("docs/runbooks/"))
    assert len(runbooks) == 2
    page = files["docs/runbooks/api.md"].decode()
    assert '<a id="availability"></a>' in page
    rules = yaml.safe_load(files["prometheus/rules/slo/api.yaml"])
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    assert len(alerts) >= 4
    for name in {a["alert"] for a in alerts}:
        assert page.count(f"### {name} (") == sum(a["alert"] == name for a in alerts)
    links = {a["annotations"]["runbook_url"] for a in alerts}
    assert links == {"https://runbooks.example.com/api.md#availability"}


def test_runbooks_list_dependents_for_the_blast_radius_and_show_no_template_actions(tmp_path: Path) -> None:
    files = _bundle(tmp_path)
    page = files["docs/runbooks/api.md"].decode()
    assert '| Depended on by | quoted "{{name}}" |' in page
    assert "$value" not in page


def test_catalog_text_stays_text_in_runbooks_and_reports_while_code_spans_are_kept(tmp_path: Path) -> None:
    """A site that renders the runbooks (MkDocs passes HTML through) must not run markup from a
    service name; a `|` must not end a table cell. Code spans show their text as written."""
    catalog = CATALOG.replace('name: "quoted \\"{{name}}\\""', 'name: "<img src=x onerror=alert(1)> | x"')
    catalog = catalog.replace("    depends_on: [api]\n", "    depends_on: [api]\n    description: 'reads `<_> a | b` & more'\n")
    files = _bundle(tmp_path, catalog)
    pages = {p: files[p].decode() for p in files if p.startswith(("docs/runbooks/", "docs/reports/"))}
    prose = {p: re.sub(r"`+[^`]*?`+", "", re.sub(r"```.*?```", "", text, flags=re.DOTALL)) for p, text in pages.items()}
    assert not [p for p, text in prose.items() if "<img" in text]  # in code it is shown, not run
    api = pages["docs/runbooks/api.md"]
    assert "| Depended on by | &lt;img src=x onerror=alert(1)&gt; \\| x |" in api
    other = next(text for p, text in pages.items() if p.startswith("docs/runbooks/") and p != "docs/runbooks/api.md")
    assert "reads `<_> a \\| b` &amp; more" in other  # a | is escaped even in a span (table cells)
    inventory = pages["docs/reports/alert-coverage.md"]
    assert "&lt;img src=x onerror=alert(1)&gt; \\| x" in inventory


def test_a_backtick_in_catalog_text_closes_no_code_span_of_the_page(tmp_path: Path) -> None:
    """The page puts a rule group (holding the service name) in a code span: a name with a backtick
    closed it and the rest became markup; unpaired backticks in a description are prose."""
    catalog = CATALOG.replace('name: "quoted \\"{{name}}\\""', "name: 'front`<img src=x onerror=alert(1)>`end'")
    catalog = catalog.replace("    depends_on: [api]\n", "    depends_on: [api]\n    description: '``<script>alert(2)</script>`'\n")
    files = _bundle(tmp_path, catalog)
    page = next(files[p].decode() for p in files if p.startswith("docs/runbooks/front"))
    assert "``<script>" not in page and "``&lt;script&gt;alert(2)&lt;/script&gt;`" in page
    groups = [line for line in page.splitlines() if line.startswith("Rule group ")]
    assert groups
    assert all(line.startswith("Rule group ``service-graph:front`<img src=x onerror=alert(1)>`end`` in `") for line in groups), groups


def test_markdown_text_leaves_no_markup_that_commonmark_would_read_as_html() -> None:
    """Spans that CommonMark does not read as code (an escaped opener, a span across lines) are
    prose and escaped; a `|` is escaped even in a span, as tables split cells first."""
    from lgtmgen.templating import markdown_text

    assert markdown_text("\\`<img src=x onerror=alert(1)>`") == "\\`&lt;img src=x onerror=alert(1)&gt;`"
    assert markdown_text("`a\n<script>alert(1)</script>\n`") == "`a\n&lt;script&gt;alert(1)&lt;/script&gt;\n`"
    assert markdown_text("`x|y`") == "`x\\|y`"
    assert markdown_text("matching `<_> timed out` in 10m & more") == "matching `<_> timed out` in 10m &amp; more"


def test_a_dashboard_address_holding_a_pipe_stays_in_its_table_cell(tmp_path: Path) -> None:
    catalog = "apiVersion: lgtmgen/v1\ndefaults: {grafana_url: 'https://grafana.example.com/a|b'}\n" + CATALOG.removeprefix("apiVersion: lgtmgen/v1\n")
    page = _bundle(tmp_path, catalog)["docs/runbooks/api.md"].decode()
    assert "| Dashboard | https://grafana.example.com/a\\|b/d/" in page
