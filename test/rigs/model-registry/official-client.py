"""Drives PyPI's official `model-registry` Python client (run with a venv python of install.sh) against a registry.

    python official-client.py http://127.0.0.1:PORT MODEL

Registers MODEL with version v1 and its model artifact, reads them back, lists, updates (model description, version
state, artifact format version), reads again, and prints one JSON object with what the client saw."""
import json
import sys
import warnings

from importlib.metadata import version as pkg_version
from model_registry import ModelRegistry

url, name = sys.argv[1], sys.argv[2]
host, port = url.rsplit(":", 1)
warnings.simplefilter("ignore")  # "User access token is missing": the rig has no auth
registry = ModelRegistry(host, int(port), author="official-client", is_secure=False)

rm = registry.register_model(
    name,
    "s3://ml-models/%s/v1/model.onnx" % name,
    version="v1",
    model_format_name="onnx",
    model_format_version="1",
    description="registered by the official Python client",
    version_description="first version",
    metadata={"accuracy": 0.93, "framework": "onnx"},
)
mv = registry.get_model_version(name, "v1")
ma = registry.get_model_artifact(name, "v1")
models = [m.name for m in registry.get_registered_models()]
versions = [v.name for v in registry.get_model_versions(name)]

rm.description = "updated by the official Python client"
registry.update(rm)
mv.description = "first version, updated"
registry.update(mv)
ma.model_format_version = "2"
registry.update(ma)
again = registry.get_registered_model(name)
mv2 = registry.get_model_version(name, "v1")
ma2 = registry.get_model_artifact(name, "v1")

print(json.dumps({
    "client": pkg_version("model-registry"),
    "model": {"id": rm.id, "name": rm.name, "description": again.description, "owner": again.owner},
    "version": {"id": mv.id, "name": mv.name, "author": mv.author, "description": mv2.description,
                "metadata": {k: v for k, v in (mv.custom_properties or {}).items()}},
    "artifact": {"id": ma.id, "uri": ma.uri, "format": ma.model_format_name, "formatVersion": ma2.model_format_version},
    "models": models,
    "versions": versions,
}))
