import { COMPLEXITIES, type Complexity } from '../sources/index.js';
import { keysAt, type TargetLayout } from './api.js';

const LEVEL: Record<Complexity, string> = { low: 'LOW', medium: 'MODERATE', high: 'HIGH' };

/** `models.yaml` of the seed layout: LOW / MODERATE / HIGH → category → model, with `default`. One model per cell: the builder's. */
export const seedModels: TargetLayout = {
  name: 'seed-models',
  description: 'models.yaml: LOW / MODERATE / HIGH → category → model, with a default per level',
  syntax: 'yaml',
  model: {
    roles: ['builder'],
    own: (category, complexity) => (complexity === null ? [] : [[LEVEL[complexity], category]]),
    fallback: (complexity) => (complexity === null ? undefined : [LEVEL[complexity], 'default']),
    places: (doc) =>
      COMPLEXITIES.flatMap((complexity) => keysAt(doc, [LEVEL[complexity]]).map((category) => ({ path: [LEVEL[complexity], category], category, complexity, role: 'builder' as const }))),
  },
};
