"""The real checking programs that scripts/bootstrap installed are found and report a pinned version."""

import pytest

from lgtmgen.toolchain.locate import locate_tools
from lgtmgen.toolchain.versions import accepted_upstream_versions


@pytest.mark.tools
@pytest.mark.parametrize("name", ["promtool", "amtool", "prometheus", "alertmanager"])
def test_installed_tool_reports_a_pinned_version(name: str) -> None:
    tool = getattr(locate_tools(), name)

    assert tool is not None, f"{name} not found: run scripts/bootstrap"
    assert tool.version in accepted_upstream_versions(name), f"{tool.path} is {tool.version}"
