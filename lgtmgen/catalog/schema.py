"""The catalog's JSON Schema, exported to specs/ and drift-tested."""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from lgtmgen.catalog.models import Catalog

SCHEMA_ID = "https://lgtmgen.dev/schemas/catalog-v1.json"


class _FactoryDefaults(GenerateJsonSchema):
    """Shows the defaults that fields make with a factory (business hours, percentiles, security
    patterns), which pydantic leaves out: editors and the reference would show none, or `[]`."""

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        factory = schema.get("default_factory")
        if factory is not None and not schema.get("default_factory_takes_data"):
            return factory()  # type: ignore[call-arg]  # takes no data (checked above)
        return super().get_default_value(schema)


def catalog_json_schema() -> str:
    schema = Catalog.model_json_schema(by_alias=True, mode="validation", schema_generator=_FactoryDefaults)
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", "$id": SCHEMA_ID, **schema}
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
