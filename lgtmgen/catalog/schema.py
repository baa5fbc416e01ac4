"""The catalog's JSON Schema, exported to specs/ and drift-tested."""

from __future__ import annotations

import json

from lgtmgen.catalog.models import Catalog

SCHEMA_ID = "https://lgtmgen.dev/schemas/catalog-v1.json"


def catalog_json_schema() -> str:
    schema = Catalog.model_json_schema(by_alias=True, mode="validation")
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_ID, **schema}
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
