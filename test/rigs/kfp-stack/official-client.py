"""Drives PyPI's official `kfp` SDK (kfp.Client, the rig venv's kfp 2.17.3) against a KFP API server.

    python official-client.py HOST PIPELINE_YAML [USER]

HOST is the API's base URL (the daemon's forward of svc/ml-pipeline:8888). With USER the client talks to a multi-user
server as that user (header kubeflow-userid) in the namespace kubeflow-user. Creates an experiment, uploads the
pipeline and a second version, starts a run from the package, lists runs with filters in both forms the server
accepts (enum names with snake_case keys, enum numbers with lowerCamelCase keys, what the SDK's own docs show), and
creates a recurring run every 10 s. Prints one JSON object with what the client saw."""
import json
import sys
import warnings
from importlib.metadata import version as pkg_version

import kfp

host, package = sys.argv[1], sys.argv[2]
user = sys.argv[3] if len(sys.argv) > 3 else None
warnings.simplefilter("ignore")
namespace = "kubeflow-user" if user else None
client = kfp.Client(host=host, namespace=namespace)
if user:
    # what Kubeflow's auth proxy adds in a cluster (one ApiClient serves every service API of the client)
    client._run_api.api_client.set_default_header("kubeflow-userid", user)

out = {"sdk": pkg_version("kfp")}
exp = client.create_experiment("sdk-experiment", description="from the official SDK", namespace=namespace)
out["experiment"] = {"id": exp.experiment_id, "name": exp.display_name, "namespace": exp.namespace}

p = client.upload_pipeline(package, pipeline_name="sdk-hello", description="uploaded by kfp.Client", namespace=namespace)
out["pipeline"] = {"id": p.pipeline_id, "name": p.display_name}
v = client.upload_pipeline_version(package, pipeline_version_name="sdk-hello-v2", pipeline_id=p.pipeline_id)
out["version"] = {"id": v.pipeline_version_id, "name": v.display_name, "pipeline_id": v.pipeline_id}
versions = client.list_pipeline_versions(p.pipeline_id, page_size=10)
out["versions"] = sorted(x.display_name for x in versions.pipeline_versions or [])

run = client.create_run_from_pipeline_package(package, arguments={"name": "sdk", "times": 3}, run_name="sdk-run",
                                              experiment_name="sdk-experiment", namespace=namespace)
out["run"] = {"id": run.run_id}
detail = client.get_run(run.run_id)
out["run"]["name"] = detail.display_name
out["run"]["experiment_id"] = detail.experiment_id
out["run"]["state"] = str(detail.state)

f_names = json.dumps({"predicates": [{"operation": "EQUALS", "key": "display_name", "string_value": "sdk-run"}]})
f_numbers = json.dumps({"predicates": [{"operation": 1, "key": "display_name", "stringValue": "sdk-run"}]})
f_none = json.dumps({"predicates": [{"operation": "EQUALS", "key": "display_name", "string_value": "no-such-run"}]})
out["list_runs"] = {
    "by_name": [r.run_id for r in client.list_runs(experiment_id=exp.experiment_id, filter=f_names, namespace=namespace).runs or []],
    "by_number": [r.run_id for r in client.list_runs(experiment_id=exp.experiment_id, filter=f_numbers, namespace=namespace).runs or []],
    "none": [r.run_id for r in client.list_runs(experiment_id=exp.experiment_id, filter=f_none, namespace=namespace).runs or []],
}

rec = client.create_recurring_run(experiment_id=exp.experiment_id, job_name="sdk-every-10s", interval_second=10,
                                  version_id=v.pipeline_version_id, pipeline_id=p.pipeline_id,
                                  params={"name": "recurring", "times": 1}, max_concurrency=5, enable_caching=False)
out["recurring"] = {"id": rec.recurring_run_id, "name": rec.display_name, "status": str(rec.status)}
print(json.dumps(out))
