// Editor aids: validation of Kubeflow YAML (Notebook, Profile, PyTorchJob/TFJob/MPIJob/JAXJob, TrainJob, Katib
// Experiment, InferenceService) on open and save, with diagnostics at the offending line, against the schemas the
// build generated from the CRDs (dist/schemas, see scripts/gen-schemas.mjs). The same schemas are contributed through
// `yamlValidation` for the YAML extension; snippets and the walkthrough are manifest-only.
import fs from 'node:fs';
import * as vscode from 'vscode';
import type { Ctx, Feature } from '../ctx';
import { errorMessage } from '../log';
import { KubeflowYamlValidator, type SchemaIndexEntry } from './validate';
import { showInformationMessage } from '../notify';

const SETTING = 'kubeflow.yaml.validateOnSave';

export const editorAidsFeature: Feature = (ctx: Ctx) => {
  const diagnostics = vscode.languages.createDiagnosticCollection('kubeflow-yaml');
  let validator: KubeflowYamlValidator | undefined;
  const schemaDir = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'schemas');

  const getValidator = (): KubeflowYamlValidator | undefined => {
    if (validator) return validator;
    try {
      const index = JSON.parse(fs.readFileSync(vscode.Uri.joinPath(schemaDir, 'index.json').fsPath, 'utf8')) as SchemaIndexEntry[];
      validator = new KubeflowYamlValidator(index, (file) =>
        JSON.parse(fs.readFileSync(vscode.Uri.joinPath(schemaDir, file).fsPath, 'utf8')) as object);
      return validator;
    } catch (err) {
      ctx.log.warn(`Kubeflow YAML schemas not available (${errorMessage(err)})`);
      return undefined;
    }
  };

  const isYaml = (doc: vscode.TextDocument) => doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri.path);

  /** Validates one document; returns how many findings, or undefined when it holds no Kubeflow kind we know. */
  const check = (doc: vscode.TextDocument): number | undefined => {
    if (!isYaml(doc)) return undefined;
    const v = getValidator();
    if (!v) return undefined;
    const started = performance.now();
    const result = v.validate(doc.getText());
    if (!result.recognized) {
      diagnostics.delete(doc.uri);
      return undefined;
    }
    diagnostics.set(doc.uri, result.findings.map((f) => {
      const a = result.position(f.start);
      const b = result.position(f.end);
      const d = new vscode.Diagnostic(new vscode.Range(a.line, a.character, b.line, b.character), f.message, vscode.DiagnosticSeverity.Error);
      d.source = 'Kubeflow';
      d.code = f.kind ? 'schema' : 'yaml';
      return d;
    }));
    ctx.log.debug(`validated ${doc.uri.fsPath}: ${result.findings.length} finding(s) in ${(performance.now() - started).toFixed(0)} ms`);
    return result.findings.length;
  };
  const enabled = (doc: vscode.TextDocument) => vscode.workspace.getConfiguration(undefined, doc.uri).get<boolean>(SETTING, true);
  const safeCheck = (doc: vscode.TextDocument) => {
    try {
      if (enabled(doc)) check(doc);
    } catch (err) {
      ctx.log.warn(`validating ${doc.uri.toString()}: ${errorMessage(err)}`);
    }
  };

  // Documents already open when the extension activates (activation on a YAML file) get checked too.
  setTimeout(() => vscode.workspace.textDocuments.forEach(safeCheck), 0);

  return [
    diagnostics,
    vscode.workspace.onDidOpenTextDocument(safeCheck),
    vscode.workspace.onDidSaveTextDocument(safeCheck),
    vscode.workspace.onDidCloseTextDocument((doc) => diagnostics.delete(doc.uri)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTING)) return;
      diagnostics.clear();
      vscode.workspace.textDocuments.forEach(safeCheck);
    }),
    vscode.commands.registerCommand('kubeflow.yaml.validate', async () => {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc) {
        void showInformationMessage('Open a Kubeflow YAML file (Notebook, PyTorchJob, TrainJob, Experiment, InferenceService, Profile) to validate it.');
        return;
      }
      const n = check(doc);
      if (n === undefined) {
        void showInformationMessage('This file holds no Kubeflow resource this extension has a schema for (apiVersion + kind).');
      } else if (n === 0) {
        void showInformationMessage('Kubeflow YAML is valid.');
      } else {
        await vscode.commands.executeCommand('workbench.actions.view.problems');
      }
    }),
  ];
};
