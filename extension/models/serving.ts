/**
 * Models and Endpoints register together: both read the namespace's InferenceServices (a version's deployments in
 * the details panel, the deploy form's targets, the Endpoints view), so they share one watched `EndpointsModel`.
 */
import type { Feature } from '../ctx';
import { endpointsFeature } from '../endpoints/feature';
import { EndpointsModel } from '../endpoints/model';
import { modelsFeature } from './feature';

export const servingFeature: Feature = (ctx) => {
  const endpoints = new EndpointsModel(ctx.kube, ctx.log);
  return [endpoints, ...endpointsFeature(ctx, endpoints), ...modelsFeature(ctx, endpoints)];
};
