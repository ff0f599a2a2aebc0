// A step's log: the pod's live log through the daemon (a `kubeflow-logs:` document that follows it), or — when the
// pod is gone or the cluster is not reachable — the copy the KFP API server keeps, as a read-only document.
import * as vscode from 'vscode';
import { ErrorCode } from '../../companion-daemon/src/protocol';
import type { KfpClient } from '../../core/kfp/client';
import { apiPath, type KubeObject } from '../cluster/kube';
import type { Ctx } from '../ctx';
import { describeError } from '../daemon/client';
import { showReadOnly } from '../training/readonly';
import { showErrorMessage } from '../notify';

/**
 * The pod of an orchestrator node: the pod named by the node id, else the run's pod that carries the node id
 * (Argo's v2 pod names are `<workflow>-<template>-<hash>`; the node id is in an annotation).
 */
async function findPod(ctx: Ctx, namespace: string, runId: string, node: string): Promise<string | undefined> {
  try {
    await ctx.kube.get(apiPath({ version: 'v1', plural: 'pods', namespace, name: node }));
    return node;
  } catch (err) {
    if ((err as { code?: number }).code !== ErrorCode.NotFound) throw err;
  }
  const workflow = node.replace(/-\d+$/, '');
  const selectors = [`pipeline/runid=${runId}`, ...(workflow !== node ? [`workflows.argoproj.io/workflow=${workflow}`] : [])];
  for (const labelSelector of selectors) {
    const pods = await ctx.kube.list<KubeObject>(apiPath({ version: 'v1', plural: 'pods', namespace }), { labelSelector });
    const hit = pods.find((p) => p.metadata.annotations?.['workflows.argoproj.io/node-id'] === node) ?? pods.find((p) => workflow !== node && p.metadata.name.endsWith(`-${node.slice(workflow.length + 1)}`));
    if (hit) return hit.metadata.name;
  }
  return undefined;
}

export async function openStepLogs(ctx: Ctx, client: KfpClient, o: { runId: string; runName?: string; namespace: string; task: string; node: string; failed?: boolean }): Promise<void> {
  let podProblem: string | undefined;
  // Both copies are named after the step and the run, not the pod (`…-system-container-impl-690511402`).
  const label = `${o.task} · ${o.runName ?? o.runId}`;
  try {
    const pod = await findPod(ctx, o.namespace, o.runId, o.node);
    if (pod) {
      await vscode.commands.executeCommand('kubeflow.logs.open', { kind: 'pod', namespace: o.namespace, name: pod }, label);
      // A failed step: show where it failed (the log arrives from the daemon first).
      if (o.failed) setTimeout(() => void vscode.commands.executeCommand('kubeflow.logs.jumpToError'), 800);
      return;
    }
    podProblem = `pod ${o.node} is gone from namespace ${o.namespace}`;
  } catch (err) {
    podProblem = `cannot read pods in ${o.namespace}: ${describeError(err)}`;
  }
  ctx.log.info(`logs of ${o.task} (${o.node}): ${podProblem}; asking the KFP API server for its copy`);
  try {
    const text = await client.readNodeLog(o.runId, o.node);
    await showReadOnly(`${label}.kflog`, text || '(the log is empty)\n');
  } catch (err) {
    void showErrorMessage(`No log for ${o.task}: the ${podProblem}, and the KFP API server has no copy (${describeError(err)}).`);
  }
}
