import assert from 'node:assert/strict';
import { fieldProblems, locatePath, parseFieldPath, readYamlResources } from '../../../core/training/fieldpath';

const JOB = `# a comment first
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: bad-job
  labels:
    app.kubernetes.io/name: mnist
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      restartPolicy: Sometimes
      template:
        spec:
          containers:
            - name: pytorch
              image: pytorch/pytorch:2.5.1
              resources:
                limits:
                  nvidia.com/gpu: 1
    Worker:
      replicas: "three"
      template:
        spec:
          containers:
            - name: pytorch
              imagee: pytorch/pytorch:2.5.1
`;

/** The text a located range covers, and its 1-based line. */
function where(text: string, path: string, docIndex = 0): { text: string; line: number; exact: boolean } | undefined {
  const { resources } = readYamlResources(text);
  const loc = locatePath(resources[docIndex]!.doc, parseFieldPath(path));
  if (!loc) return undefined;
  return { text: text.slice(loc.start, loc.end), line: text.slice(0, loc.start).split('\n').length, exact: loc.exact };
}

describe('API field path → YAML range', () => {
  it('parses dotted, indexed and bracketed-key paths', () => {
    assert.deepEqual(parseFieldPath('spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].image'), ['spec', 'pytorchReplicaSpecs', 'Worker', 'template', 'spec', 'containers', 0, 'image']);
    assert.deepEqual(parseFieldPath('.metadata.labels[app.kubernetes.io/name]'), ['metadata', 'labels', 'app.kubernetes.io/name']);
    assert.deepEqual(parseFieldPath('spec.x["a.b"]'), ['spec', 'x', 'a.b']);
  });

  it('points at the value of a scalar field', () => {
    assert.deepEqual(where(JOB, 'spec.pytorchReplicaSpecs.Worker.replicas'), { text: '"three"', line: 22, exact: true });
    assert.deepEqual(where(JOB, 'spec.pytorchReplicaSpecs[Master].restartPolicy'), { text: 'Sometimes', line: 12, exact: true });
    assert.deepEqual(where(JOB, 'spec.pytorchReplicaSpecs.Master.template.spec.containers[0].image'), { text: 'pytorch/pytorch:2.5.1', line: 17, exact: true });
  });

  it('joins segments that a dotted path split inside a key (label keys, resource names)', () => {
    assert.deepEqual(where(JOB, 'metadata.labels.app.kubernetes.io/name'), { text: 'mnist', line: 7, exact: true });
    assert.deepEqual(where(JOB, 'spec.pytorchReplicaSpecs.Master.template.spec.containers[0].resources.limits.nvidia.com/gpu'), { text: '1', line: 20, exact: true });
    assert.deepEqual(where(JOB, 'spec.pytorchReplicaSpecs.Master.template.spec.containers.0.resources.limits[nvidia.com/gpu]')?.line, 20);
  });

  it('points at the key of a map or list, not the whole block', () => {
    assert.deepEqual(where(JOB, 'spec.pytorchReplicaSpecs.Worker'), { text: 'Worker', line: 21, exact: true });
  });

  it('points at the deepest existing parent when the field is missing (Required value)', () => {
    assert.deepEqual(where(JOB, 'spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].image'), { text: 'name', line: 26, exact: false });
    assert.deepEqual(where(JOB, 'spec.runPolicy.backoffLimit'), { text: 'spec', line: 8, exact: false });
  });

  it('finds the document of a multi-document file by offsets in the whole file', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n---\n${JOB}`;
    const { resources } = readYamlResources(text);
    assert.equal(resources.length, 2);
    assert.equal((resources[1]!.object as { kind: string }).kind, 'PyTorchJob');
    assert.deepEqual(where(text, 'spec.pytorchReplicaSpecs.Worker.replicas', 1), { text: '"three"', line: 27, exact: true });
  });

  it('reports YAML syntax errors with offsets', () => {
    const { resources } = readYamlResources('kind: PyTorchJob\nmetadata:\n  name: [unclosed\n');
    assert.ok(resources[0]!.errors.length > 0);
    assert.equal(resources[0]!.object, undefined);
  });
});

describe('API errors → field problems', () => {
  it('uses Status.details.causes when the answer has them', () => {
    const causes = [
      { reason: 'FieldValueInvalid', message: 'Invalid value: "string": spec.pytorchReplicaSpecs.Worker.replicas in body must be of type integer: "string"', field: 'spec.pytorchReplicaSpecs.Worker.replicas' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never", "ExitCode"', field: 'spec.pytorchReplicaSpecs.Master.restartPolicy' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "object": some validation rules were not checked because the object was invalid', field: '<nil>' },
    ];
    assert.deepEqual(fieldProblems('PyTorchJob.kubeflow.org "bad-job" is invalid: […]', causes).map((p) => p.field), ['spec.pytorchReplicaSpecs.Worker.replicas', 'spec.pytorchReplicaSpecs.Master.restartPolicy']);
  });

  it('drops the echoes kube-apiserver 1.36 adds to a type error', () => {
    // Real causes for `replicas: three` (from the rig): the schema error, CEL's accessor error on the same field, and
    // the note that CEL rules were skipped.
    const causes = [
      { reason: 'FieldValueTypeInvalid', message: 'Invalid value: "string": spec.pytorchReplicaSpecs.Worker.replicas in body must be of type integer: "string"', field: 'spec.pytorchReplicaSpecs.Worker.replicas' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: 0: .spec.pytorchReplicaSpecs.Worker.replicas accessor error: three is of the type string, expected int64', field: 'spec.pytorchReplicaSpecs.Worker.replicas' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation', field: '<nil>' },
    ];
    assert.deepEqual(fieldProblems('…', causes).map((p) => p.message), [causes[0]!.message]);
    assert.deepEqual(fieldProblems('…', [causes[1]!]).map((p) => p.message), [causes[1]!.message], 'alone, an accessor error is the problem');
  });

  it('parses the message of an Invalid error without causes', () => {
    const msg = 'PyTorchJob.kubeflow.org "bad-job" is invalid: [spec.pytorchReplicaSpecs.Worker.replicas: Invalid value: "string": spec.pytorchReplicaSpecs.Worker.replicas in body must be of type integer: "string", spec.pytorchReplicaSpecs.Master.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never", "ExitCode", <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]';
    const problems = fieldProblems(msg);
    assert.deepEqual(problems.map((p) => p.field), ['spec.pytorchReplicaSpecs.Worker.replicas', 'spec.pytorchReplicaSpecs.Master.restartPolicy']);
    assert.match(problems[1]!.message, /^Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never", "ExitCode"$/);
    const single = fieldProblems('TrainJob.trainer.kubeflow.org "x" is invalid: spec.runtimeRef.name: Required value');
    assert.deepEqual(single, [{ field: 'spec.runtimeRef.name', message: 'Required value' }]);
  });

  it('reads strict decoding errors (unknown fields)', () => {
    // As kube-apiserver 1.36 answers (400 BadRequest) with fieldValidation=Strict.
    const msg = 'PyTorchJob in version "v1" cannot be handled as a PyTorchJob: strict decoding error: unknown field "spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].imagee"';
    assert.deepEqual(fieldProblems(msg), [{ field: 'spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].imagee', message: 'unknown field "spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].imagee"' }]);
    assert.deepEqual(where(JOB, 'spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].imagee'), { text: 'pytorch/pytorch:2.5.1', line: 27, exact: true });
  });

  it('reads a CEL rule on the whole object as a problem without a field', () => {
    assert.deepEqual(fieldProblems('The TrainJob "9lives" is invalid: <nil>: Invalid value: metadata.name must match RFC 1035 DNS label format'), [{ message: 'Invalid value: metadata.name must match RFC 1035 DNS label format' }]);
  });

  it('reads a Go webhook\'s decoding error as a problem of its field (embedded structs left out)', () => {
    // As KServe 0.20's InferenceService defaulter answers a string where an integer belongs.
    const msg = 'admission webhook "inferenceservice.kserve-webhook-server.defaulter" denied the request: json: cannot unmarshal string into Go struct field PredictorSpec.spec.predictor.ComponentExtensionSpec.minReplicas of type int32';
    assert.deepEqual(fieldProblems(msg), [{ field: 'spec.predictor.minReplicas', message: 'string given where int32 is expected (json: cannot unmarshal string into Go struct field PredictorSpec.spec.predictor.ComponentExtensionSpec.minReplicas of type int32)' }]);
  });

  it('keeps a message with no field as one problem', () => {
    assert.deepEqual(fieldProblems('admission webhook "validator.trainer.kubeflow.org" denied the request: runtime not found'), [{ message: 'admission webhook "validator.trainer.kubeflow.org" denied the request: runtime not found' }]);
  });
});
