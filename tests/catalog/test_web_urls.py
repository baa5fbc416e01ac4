"""URL fields carry no credential, by any parameter name a service uses for one."""

from __future__ import annotations

import pytest

from lgtmgen.catalog.models.base import _check_web_url

REFUSED = [
    "https://g.example.com/?token=abc",
    "https://g.example.com/?X-Amz-Signature=abc",
    "https://g.example.com/?client_secret=abc",
    "https://g.example.com/?private_token=abc",
    "https://g.example.com/?%74oken=abc",  # percent-encoded name
    "https://g.example.com/d;token=abc",  # a path parameter
    "https://g.example.com/;jsessionid=abc",
    "https://g.example.com/?apiKey=abc",
    "https://g.example.com/?orgId=1&api_key=abc",
    "https://g.example.com/?password=abc",
    "https://g.example.com/#access_token=abc",  # an OAuth implicit grant's fragment
    "https://g.example.com/?pass=abc",
    "https://g.example.com/?jwt=abc",
]
KEPT = [
    "https://g.example.com/d/x?orgId=1&var-tenant=a",
    "https://g.example.com/?keyword=x",
    "https://g.example.com/?refresh=1m&from=now-6h",
    "https://runbooks.example.com/svc.md#availability",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_credential_parameter_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="carries a credential"):
        _check_web_url(url)


@pytest.mark.parametrize("url", KEPT)
def test_ordinary_parameters_are_kept(url: str) -> None:
    assert _check_web_url(url) == url
