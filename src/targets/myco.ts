import { keysAt, type ModelPlace, type TargetLayout } from './api.js';
import { DEFAULT_ENTRY } from './change.js';

const TASKS = ['agent', 'tasks'];

/**
 * Myco's per-project `.myco/myco.yaml`: under `agent.tasks.<task>`, the task's provider and model,
 * each phase's turn budget (`phases.<phase>.maxTurns`) and its cadence (`schedule.intervalSeconds`).
 * What a task block leaves out comes from the task's own definition, which Myco ships and this file
 * overrides: a tuned value is added to an existing task block, never as a new task. A task without a
 * model of its own runs on `agent.provider.model` unless its definition names one.
 */
export const myco: TargetLayout = {
  name: 'myco',
  description: "Myco's .myco/myco.yaml: per task under agent.tasks, provider.model, phases.<phase>.maxTurns and schedule.intervalSeconds",
  syntax: 'yaml',
  model: {
    roles: ['builder'],
    own: (task) => [[...TASKS, task, 'provider', 'model']],
    fallback: () => ['agent', 'provider', 'model'],
    places: (doc) => [
      { path: ['agent', 'provider', 'model'], category: DEFAULT_ENTRY, complexity: null, role: 'builder' as const },
      ...keysAt(doc, TASKS).map((task): ModelPlace => ({ path: [...TASKS, task, 'provider', 'model'], category: task, complexity: null, role: 'builder' })),
    ],
  },
  categories: TASKS,
  tasks: {
    at: TASKS,
    max_turns: (task, phase) => [...TASKS, task, 'phases', phase, 'maxTurns'],
    schedule: (task) => [...TASKS, task, 'schedule'],
    interval: (task) => [...TASKS, task, 'schedule', 'intervalSeconds'],
    provider_type: (task) => [...TASKS, task, 'provider', 'type'],
  },
};
