"""Deterministic serialisation of artifacts: the one place output is formatted."""

from lgtmgen.render.serialise import DO_NOT_EDIT, render_artifact
from lgtmgen.render.yaml_emitter import Commented, dump_yaml, forget_shared, render_shared

__all__ = ["DO_NOT_EDIT", "Commented", "dump_yaml", "forget_shared", "render_artifact", "render_shared"]
