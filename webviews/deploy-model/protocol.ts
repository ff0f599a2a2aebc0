// Messages between the "Deploy to KServe" panel and the extension (extension/endpoints/deploy.ts, which imports this
// with `import type`). The page is a form; the extension owns every rule: it checks the values, generates the YAML,
// dry-runs, applies and reports the service's conditions until it is Ready.

/** The form's values as typed (numbers too: the extension parses and checks them). */
export interface DeployForm {
  /** '' = create a new InferenceService; else the name of an existing one to update (a new revision). */
  target: string;
  name: string;
  namespace: string;
  modelFormat: string;
  modelFormatVersion: string;
  runtime: string;
  protocolVersion: '' | 'v1' | 'v2';
  storageUri: string;
  cpu: string;
  memory: string;
  gpus: string;
  minReplicas: string;
  maxReplicas: string;
  canaryTrafficPercent: string;
  serviceAccountName: string;
  deploymentMode: '' | 'Serverless' | 'RawDeployment';
}

export type FormField = keyof DeployForm;

export interface FieldProblem {
  /** Absent: about the whole object (shown above the form). */
  field?: FormField;
  message: string;
  /** A value that fixes it; the page offers it as a link. */
  suggestion?: string;
}

export interface DeployInit {
  /** What is being deployed, for the heading: `churn` version `v2` from registry `model-registry-service`. */
  source?: { model: string; version: string; registry: string; artifactUri?: string };
  form: DeployForm;
  formats: Array<{ name: string; label: string; runtimes: string[] }>;
  /** InferenceServices of the namespace the version can roll onto. */
  /** `raw`: it runs in RawDeployment mode (an update rolls its pods; no revisions, no canary). */
  existing: Array<{ name: string; modelFormat?: string; storageUri?: string; phase: string; raw?: boolean }>;
}

export type DeployPhase = 'editing' | 'dry-run' | 'applying' | 'waiting' | 'ready' | 'failed';

/** Extension → webview. */
export type ToDeploy =
  | { type: 'init'; init: DeployInit }
  /** The form changed from the extension's side (a target picked: its current values). */
  | { type: 'form'; form: DeployForm }
  | {
      type: 'preview';
      mode: 'create' | 'update';
      yaml: string;
      /** The form's own checks; Deploy is disabled while there are any. */
      problems: FieldProblem[];
      /** For an update: what changes (storage URI, canary share…). */
      changes: string[];
      /** Remarks that do not block (plain http storage…). */
      notes: string[];
      /** What may make the deploy fail and the form cannot check (storage credentials): Deploy waits until the user
       * acknowledges them. */
      warnings: string[];
    }
  /** The namespace's InferenceServices changed (the "Deploy as" choices). */
  | { type: 'existing'; existing: DeployInit['existing'] }
  /** What the API server's dry run (or the apply) refused, mapped to fields where it names one. */
  | { type: 'serverProblems'; problems: FieldProblem[] }
  | {
      type: 'phase';
      phase: DeployPhase;
      message?: string;
      conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
      url?: string;
      traffic?: string;
    };

/** Webview → extension. */
export type FromDeploy =
  | { type: 'ready' }
  | { type: 'change'; form: DeployForm; /** The field the user changed. */ field?: FormField }
  | { type: 'validate' }
  /** `acknowledged`: the preview's warnings the user accepted. */
  | { type: 'deploy'; acknowledged: string[] }
  | { type: 'openYaml' }
  | { type: 'after'; action: 'endpoints' | 'test' | 'logs' };
