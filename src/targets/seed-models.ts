import type { TargetLayout } from './api.js';

/** `models.yaml` of the seed layout: LOW / MODERATE / HIGH → category → model, with `default`. One model per cell: the builder's. */
export const seedModels: TargetLayout = {
  name: 'seed-models',
  description: 'models.yaml: LOW / MODERATE / HIGH → category → model, with a default per level',
  model: {
    complexityKeys: { low: 'LOW', medium: 'MODERATE', high: 'HIGH' },
    roles: ['builder'],
    path: (c, category) => [c, category],
    fallback: (c) => [c, 'default'],
  },
};
