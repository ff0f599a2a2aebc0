"""Writes and reads MLMD records of a KFP v2 run with the official client: ml-metadata's own `MetadataStore` over gRPC.

  python kfp-run.py write <host:port> <spec.json>   records one run the way KFP 2.17's driver and launcher do
                                                    (backend/src/v2/metadata/client.go), prints {"executions": …}
  python kfp-run.py read  <host:port> <run id>      prints what the run context holds: executions with their
                                                    events and artifacts (types by name)

spec.json: {"run_id", "pipeline", "namespace", "pipeline_root", "tasks": [{"name", "state", "inputs": {…},
"outputs": {…}, "cached": bool, "artifacts": [{"name", "type", "uri", "event": "INPUT"|"OUTPUT", "from": task,
"metadata": {…}}]}]}; an INPUT artifact with "from" is the OUTPUT artifact of that earlier task (one record, two events).
"""
import json
import sys

from google.protobuf import json_format, struct_pb2
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as mlmd

STATES = {'RUNNING': mlmd.Execution.RUNNING, 'COMPLETE': mlmd.Execution.COMPLETE, 'FAILED': mlmd.Execution.FAILED,
          'CACHED': mlmd.Execution.CACHED, 'CANCELED': mlmd.Execution.CANCELED}


def connect(address: str) -> metadata_store.MetadataStore:
    host, port = address.rsplit(':', 1)
    return metadata_store.MetadataStore(mlmd.MetadataStoreClientConfig(host=host, port=int(port)))


def s(v: str) -> mlmd.Value:
    return mlmd.Value(string_value=v)


def value(v) -> mlmd.Value:
    """StructValueToMLMDValue of converter.go: numbers → double, bools → int, lists/structs wrapped in a struct."""
    if isinstance(v, bool):
        return mlmd.Value(int_value=int(v))
    if isinstance(v, (int, float)):
        return mlmd.Value(double_value=float(v))
    if isinstance(v, str):
        return s(v)
    st = struct_pb2.Struct()
    st.update({'list' if isinstance(v, list) else 'struct': v})
    return mlmd.Value(struct_value=st)


def struct(d: dict) -> mlmd.Value:
    st = struct_pb2.Struct()
    st.update(d)
    return mlmd.Value(struct_value=st)


def type_id(store, kind: str, name: str) -> int:
    if kind == 'artifact':
        return store.put_artifact_type(mlmd.ArtifactType(name=name))
    if kind == 'execution':
        return store.put_execution_type(mlmd.ExecutionType(name=name))
    return store.put_context_type(mlmd.ContextType(name=name))


def context(store, type_name: str, name: str, props: dict) -> mlmd.Context:
    tid = type_id(store, 'context', type_name)
    existing = store.get_context_by_type_and_name(type_name, name)
    if existing is not None:
        return existing
    c = mlmd.Context(type_id=tid, name=name, custom_properties={k: s(v) for k, v in props.items()})
    [cid] = store.put_contexts([c])
    return store.get_contexts_by_id([cid])[0]


def write(address: str, spec_file: str) -> None:
    spec = json.load(open(spec_file))
    store = connect(address)
    run_id = spec['run_id']
    session = json.dumps({'Provider': 's3', 'Params': {'endpoint': 'minio-service.kubeflow:9000', 'fromEnv': 'false',
                                                       'region': 'minio', 'disableSSL': 'true',
                                                       'secretName': 'mlpipeline-minio-artifact',
                                                       'accessKeyKey': 'accesskey', 'secretKeyKey': 'secretkey'}})
    pipeline = context(store, 'system.Pipeline', spec['pipeline'], {})
    run = context(store, 'system.PipelineRun', run_id, {
        'namespace': spec.get('namespace', 'kubeflow'), 'resource_name': f'run-resource-{run_id[:8]}',
        'pipeline_root': f"{spec['pipeline_root'].rstrip('/')}/{spec['pipeline']}/{run_id}", 'store_session_info': session})
    if not store.get_parent_contexts_by_context(run.id):
        store.put_parent_contexts([mlmd.ParentContext(child_id=run.id, parent_id=pipeline.id)])
    dag_type = type_id(store, 'execution', 'system.DAGExecution')
    container_type = type_id(store, 'execution', 'system.ContainerExecution')
    root_id, _, _ = store.put_execution(mlmd.Execution(
        type_id=dag_type, last_known_state=mlmd.Execution.RUNNING,
        custom_properties={'display_name': s(''), 'task_name': s(''), 'inputs': struct(spec.get('parameters', {}))}),
        [], [pipeline, run])
    produced = {}
    executions = {}
    for t in spec['tasks']:
        props = {'display_name': s(t['name']), 'task_name': s(t['name']), 'parent_dag_id': mlmd.Value(int_value=root_id),
                 'pod_name': s(f"{run_id[:8]}-{t['name']}-system-container-impl"), 'pod_uid': s(f"uid-{t['name']}"),
                 'namespace': s(spec.get('namespace', 'kubeflow')), 'image': s('python:3.11')}
        if t.get('inputs'):
            props['inputs'] = struct(t['inputs'])
        if t.get('outputs'):
            props['outputs'] = struct(t['outputs'])
        if t.get('cached'):
            props['cached_execution_id'] = s('1')
        e = mlmd.Execution(type_id=container_type, name=f"{run_id}-{t['name']}",
                           last_known_state=STATES[t.get('state', 'COMPLETE')], custom_properties=props)
        pairs = []
        for a in t.get('artifacts', []):
            kind = mlmd.Event.INPUT if a.get('event') == 'INPUT' else mlmd.Event.OUTPUT
            path = mlmd.Event.Path(steps=[mlmd.Event.Path.Step(key=a['name'])])
            if a.get('from'):
                pairs.append((produced[(a['from'], a.get('output', a['name']))], mlmd.Event(type=kind, path=path)))
                continue
            custom = {k: value(v) for k, v in a.get('metadata', {}).items()}
            custom.setdefault('display_name', s(a['name']))
            custom.setdefault('store_session_info', s(session))
            art = mlmd.Artifact(type_id=type_id(store, 'artifact', a['type']), uri=a['uri'], state=mlmd.Artifact.LIVE,
                                custom_properties=custom)
            pairs.append((art, mlmd.Event(type=kind, path=path)))
        arts = [p[0] if isinstance(p[0], mlmd.Artifact) else store.get_artifacts_by_id([p[0]])[0] for p in pairs]
        eid, art_ids, _ = store.put_execution(e, list(zip(arts, [p[1] for p in pairs])), [pipeline, run])
        executions[t['name']] = eid
        for a, aid in zip(t.get('artifacts', []), art_ids):
            if not a.get('from'):
                produced[(t['name'], a['name'])] = aid
    root = store.get_executions_by_id([root_id])[0]
    root.last_known_state = mlmd.Execution.COMPLETE
    store.put_executions([root])
    print(json.dumps({'run_context': run.id, 'root': root_id, 'executions': executions}))


def read(address: str, run_id: str) -> None:
    store = connect(address)
    run = store.get_context_by_type_and_name('system.PipelineRun', run_id)
    if run is None:
        print(json.dumps(None))
        return
    executions = sorted(store.get_executions_by_context(run.id), key=lambda e: e.id)
    events = store.get_events_by_execution_ids([e.id for e in executions])
    artifacts = {a.id: a for a in store.get_artifacts_by_id(sorted({ev.artifact_id for ev in events}))}
    types = {t.id: t.name for t in store.get_artifact_types_by_id(sorted({a.type_id for a in artifacts.values()}))}
    out = {'run': json_format.MessageToDict(run), 'executions': []}
    for e in executions:
        evs = [ev for ev in events if ev.execution_id == e.id]
        out['executions'].append({
            'name': e.custom_properties['task_name'].string_value, 'state': mlmd.Execution.State.Name(e.last_known_state),
            'properties': json_format.MessageToDict(e)['customProperties'],
            'artifacts': [{'name': ev.path.steps[0].key, 'event': mlmd.Event.Type.Name(ev.type),
                           'type': types[artifacts[ev.artifact_id].type_id], 'uri': artifacts[ev.artifact_id].uri,
                           'id': ev.artifact_id} for ev in evs],
        })
    print(json.dumps(out))


if __name__ == '__main__':
    {'write': write, 'read': read}[sys.argv[1]](sys.argv[2], sys.argv[3])
