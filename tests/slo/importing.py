"""Running `lgtmgen import` into a catalog folder that declares the team and tenant it names."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from lgtmgen.cli.app import app

HEAD = """\
apiVersion: lgtmgen/v1
teams: [{name: web, notify: {slack: {channel: "#w", api_url_file: /etc/s}}}]
tenants: [{name: prod}]
"""


def import_into_catalog(tmp_path: Path, kind: str, spec: str, *options: str) -> tuple[Path, Result]:
    """Import `spec` as team `web`, tenant `prod` into tmp_path/catalog/imported.yaml, beside a
    head.yaml declaring both; the file written (or not) and the runner's result."""
    source = tmp_path / "spec.yaml"
    source.write_text(spec, encoding="utf-8")
    catalog = tmp_path / "catalog"
    catalog.mkdir(exist_ok=True)
    (catalog / "head.yaml").write_text(HEAD, encoding="utf-8")
    out = catalog / "imported.yaml"
    args = ["import", kind, str(source), "--team", "web", "--tenant", "prod", "-o", str(out), *options]
    return out, CliRunner().invoke(app, args)
