/**
 * Models and Endpoints register together: both read the namespace's InferenceServices (a version's deployments in
 * the details panel, the deploy form's targets, the Endpoints view), so they share one watched `EndpointsModel`; the
 * Endpoints view's health lines come from the health feature's Prometheus connection.
 */
import type { Feature } from '../ctx';
import { endpointsFeature } from '../endpoints/feature';
import { healthFeature } from '../health/feature';
import { EndpointHealthStatus } from '../health/status';
import { EndpointsModel } from '../endpoints/model';
import { modelsFeature } from './feature';

export const servingFeature: Feature = (ctx) => {
  const endpoints = new EndpointsModel(ctx.kube, ctx.log);
  const health = new EndpointHealthStatus(ctx, endpoints);
  return [endpoints, health, ...endpointsFeature(ctx, endpoints, health), ...modelsFeature(ctx, endpoints), ...healthFeature(ctx, health)];
};
