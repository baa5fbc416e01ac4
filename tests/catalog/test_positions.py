"""Every catalog diagnostic points at the file, line and column a user would put the cursor on."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgtmgen.catalog import load_catalog

HEAD = """apiVersion: lgtmgen/v1
teams:
  - name: web
    notify:
      slack: {channel: "#web", api_url_file: /etc/am/slack.url}
tenants:
  - name: prod
"""
SERVICE = """services:
  - name: api
    team: web
    tenant: prod
    slos:
      - name: availability
        objective: 99.9
        sli: {kind: availability}
"""


def where(tmp_path: Path, files: dict[str, str], *paths: str) -> list[tuple[str, int, int, str]]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    loaded = load_catalog([tmp_path / p for p in (paths or files)])
    assert loaded.catalog is None
    return [
        (Path(d.location.file).name, d.location.line, d.location.column, d.check)
        for d in loaded.diagnostics
        if d.location is not None and d.is_error
    ]


def column_of(text: str, line: int, needle: str) -> int:
    return text.splitlines()[line - 1].index(needle) + 1


def test_an_unknown_field_points_at_its_key(tmp_path: Path) -> None:
    text = HEAD + SERVICE.replace("    tenant: prod\n", "    tenant: prod\n    tiers: 1\n")
    line = text.splitlines().index("    tiers: 1") + 1
    assert where(tmp_path, {"c.yaml": text}) == [("c.yaml", line, 5, "catalog/unknown-field")]


def test_a_wrong_value_points_at_the_value_not_the_key(tmp_path: Path) -> None:
    text = HEAD + SERVICE.replace("objective: 99.9", "objective: 100")
    line = text.splitlines().index("        objective: 100") + 1
    assert where(tmp_path, {"c.yaml": text}) == [("c.yaml", line, 20, "catalog/out-of-range")]


def test_a_bad_sequence_item_points_at_the_item(tmp_path: Path) -> None:
    text = HEAD + SERVICE.replace(
        "    tenant: prod\n", "    tenant: prod\n    depends_on:\n      - api\n      - nowhere\n"
    )
    line = text.splitlines().index("      - nowhere") + 1
    found = where(tmp_path, {"c.yaml": text})
    assert ("c.yaml", line, 9, "catalog/unknown-reference") in found


@pytest.mark.parametrize("needle", ["nowhere", "elsewhere"])
def test_items_of_a_flow_sequence_each_point_at_their_own_column(
    tmp_path: Path, needle: str
) -> None:
    text = HEAD + SERVICE.replace(
        "    tenant: prod\n", "    tenant: prod\n    depends_on: [nowhere, elsewhere]\n"
    )
    line = text.splitlines().index("    depends_on: [nowhere, elsewhere]") + 1
    found = where(tmp_path, {"c.yaml": text})
    assert ("c.yaml", line, column_of(text, line, needle), "catalog/unknown-reference") in found


def test_a_value_in_a_flow_mapping_points_inside_the_braces(tmp_path: Path) -> None:
    text = HEAD + SERVICE.replace(
        "sli: {kind: availability}", "sli: {kind: availability, extra: 1}"
    )
    line = text.splitlines().index("        sli: {kind: availability, extra: 1}") + 1
    assert where(tmp_path, {"c.yaml": text}) == [
        ("c.yaml", line, column_of(text, line, "extra"), "catalog/unknown-field")
    ]


def test_in_a_merged_catalog_each_finding_names_the_file_it_is_in(tmp_path: Path) -> None:
    second = "apiVersion: lgtmgen/v1\nservices:\n  - name: web\n    team: ops\n    tenant: prod\n"
    third = "apiVersion: lgtmgen/v1\nservices:\n  - name: db\n    team: web\n    tenant: nowhere\n"
    found = where(
        tmp_path,
        {
            "a.yaml": HEAD + SERVICE,
            "b.yaml": second,
            "c.yaml": third,
            "d.yaml": "apiVersion: lgtmgen/v1\nservices:\n  - name: api\n    team: web\n    tenant: prod\n",
        },
    )
    assert found == [
        ("b.yaml", 4, 11, "catalog/unknown-reference"),
        ("c.yaml", 5, 13, "catalog/unknown-reference"),
        ("d.yaml", 3, 11, "catalog/duplicate-name"),
    ]


def test_a_wrong_type_in_the_second_file_of_a_merge_points_into_that_file(tmp_path: Path) -> None:
    second = "apiVersion: lgtmgen/v1\nservices:\n  - name: web\n    team: web\n    tenant: prod\n    tier: high\n"
    assert where(tmp_path, {"a.yaml": HEAD + SERVICE, "b.yaml": second}) == [
        ("b.yaml", 6, 11, "catalog/invalid-value")
    ]


def test_every_error_of_a_run_is_reported_together_across_files(tmp_path: Path) -> None:
    first = HEAD + SERVICE.replace("objective: 99.9", "objective: 0").replace(
        "    team: web\n", "    team: web\n    colour: red\n"
    )
    second = "apiVersion: lgtmgen/v1\nservices:\n  - name: web\n    team: ops\n    tenant: prod\n    depends_on: [api, ghost]\n  - name: web\n    team: web\n    tenant: prod\n"
    found = {(f, check) for f, _, _, check in where(tmp_path, {"a.yaml": first, "b.yaml": second})}
    assert found == {
        ("a.yaml", "catalog/unknown-field"),
        ("a.yaml", "catalog/out-of-range"),
        ("b.yaml", "catalog/unknown-reference"),
        ("b.yaml", "catalog/duplicate-name"),
    }
    assert len(where(tmp_path, {"a.yaml": first, "b.yaml": second})) == 5


def test_a_yaml_error_in_one_file_does_not_hide_model_errors_in_another(tmp_path: Path) -> None:
    broken = "apiVersion: lgtmgen/v1\nservices: [\n"
    found = where(
        tmp_path,
        {"a.yaml": HEAD + SERVICE.replace("objective: 99.9", "objective: 0"), "b.yaml": broken},
    )
    assert [check for *_, check in found] == ["catalog/out-of-range", "yaml/syntax"]


def test_a_hint_never_names_a_field_that_is_refused_as_a_literal_secret(tmp_path: Path) -> None:
    # pagerduty keeps `routing_key` and `service_key` only to refuse them with a pointer to the
    # file field: listed as valid fields, they sent the user from one error to the next.
    from tests.support import load_catalog_document

    document = {
        "apiVersion": "lgtmgen/v1",
        "teams": [{"name": "ops", "notify": {"pagerduty": {"routing_key_file": "/etc/pd", "escalation": "x"}}}],
        "tenants": [{"name": "prod"}],
    }
    _, diagnostics = load_catalog_document(tmp_path, document)
    [unknown] = [d for d in diagnostics if d.check == "catalog/unknown-field"]
    assert unknown.hint == "valid fields: routing_key_file"


ALIASED = HEAD + """services:
  - name: api
    team: web
    tenant: prod
    depends_on: &to-api [api]
    slos:
      - &availability
        name: availability
        objective: 99.9
        sli: {kind: availability}
      - *availability
"""


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_finding_inside_an_alias_points_at_the_alias_and_names_the_anchored_text(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(ALIASED, encoding="utf-8")
    found = {d.check: d for d in load_catalog([tmp_path / "c.yaml"]).diagnostics}
    duplicate = found["catalog/duplicate-name"]
    assert duplicate.location is not None
    assert (duplicate.location.line, duplicate.location.column) == (line_of(ALIASED, "- *availability"), 9)
    assert duplicate.message.endswith(f"(in the value of alias *availability, written at {tmp_path / 'c.yaml'}:{line_of(ALIASED, '        name: availability')}:15)")
    # The anchored text itself is reported where it is written, without a note.
    itself = found["catalog/self-dependency"]
    assert itself.location is not None and itself.location.line == line_of(ALIASED, "&to-api")
    assert "alias" not in itself.message


def test_an_alias_written_as_a_key_keeps_the_later_aliases_in_place(tmp_path: Path) -> None:
    text = ALIASED.replace("    team: web\n", "    team: &web web\n", 1).replace(
        "    tenant: prod\n    depends_on", "    tenant: prod\n    labels: {*web : owner}\n    depends_on", 1
    )
    found = where(tmp_path, {"c.yaml": text})
    assert ("c.yaml", line_of(text, "- *availability"), 9, "catalog/duplicate-name") in found


def test_an_unknown_key_written_as_an_alias_points_at_the_alias(tmp_path: Path) -> None:
    text = ALIASED.replace("    team: web\n", "    team: &web web\n    *web : owner\n", 1)
    found = where(tmp_path, {"c.yaml": text})
    assert ("c.yaml", line_of(text, "*web : owner"), 5, "catalog/unknown-field") in found


def test_an_alias_in_the_second_file_of_a_merged_list_points_into_that_file(tmp_path: Path) -> None:
    other = """apiVersion: lgtmgen/v1
services:
  - &web
    name: web
    team: web
    tenant: prod
  - *web
"""
    found = where(tmp_path, {"a.yaml": HEAD + SERVICE, "b.yaml": other})
    assert found == [("b.yaml", line_of(other, "- *web"), 5, "catalog/duplicate-name")]
    (duplicate,) = [d for d in load_catalog([tmp_path]).diagnostics if d.is_error]
    assert duplicate.message.endswith(f"(in the value of alias *web, written at {tmp_path / 'b.yaml'}:4:11)")


def test_an_alias_after_a_broken_item_still_names_its_anchor(tmp_path: Path) -> None:
    """The semantic checks run on a copy without the broken SLO (`lgtmgen.catalog.partial`)."""
    text = ALIASED.replace(
        "    slos:\n", "    slos:\n      - name: broken\n        objective: high\n        sli: {kind: availability}\n", 1
    )
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    found = {d.check: d for d in load_catalog([tmp_path / "c.yaml"]).diagnostics}
    assert set(found) >= {"catalog/wrong-type", "catalog/duplicate-name"}
    duplicate = found["catalog/duplicate-name"]
    assert duplicate.location is not None and duplicate.location.line == line_of(text, "- *availability")
    assert "(in the value of alias *availability" in duplicate.message
