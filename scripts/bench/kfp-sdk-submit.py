"""The official SDK's submit, for the bench section `kfp-submit` (scripts/bench/kfp-submit.bench.ts).

    python kfp-sdk-submit.py HOST PIPELINE_YAML EXPERIMENT RUN_NAME

kfp.Client(host=HOST).create_run_from_pipeline_package(...) as a user's script calls it, with the pipeline's
defaults but `name` = RUN_NAME (its own cache key). Prints one JSON line as soon as the run exists (before the interpreter's exit): the run id, the wall
clock (ms since the epoch) when the interpreter started running this file, and the ms the import of kfp, the
Client and the create call took, measured in Python."""
import time

started_wall_ms = time.time() * 1000
t0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import kfp  # noqa: E402

t_import = time.perf_counter()
host, package, experiment, run_name = sys.argv[1:5]
warnings.simplefilter("ignore")
client = kfp.Client(host=host)
t_client = time.perf_counter()
run = client.create_run_from_pipeline_package(package, arguments={"name": run_name}, run_name=run_name,
                                              experiment_name=experiment)
t_created = time.perf_counter()
print(json.dumps({
    "run_id": run.run_id,
    "started_wall_ms": started_wall_ms,
    "import_ms": (t_import - t0) * 1000,
    "client_ms": (t_client - t_import) * 1000,
    "create_ms": (t_created - t_client) * 1000,
}), flush=True)
