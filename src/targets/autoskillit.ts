import type { TargetLayout } from './api.js';

/**
 * AutoSkillit: a recipe's `steps.<step>.model` (an alias such as `sonnet`, `opus[1m]`, or a model id),
 * and `config/defaults.yaml`'s `model.default`, which steps without a model of their own run on. Each
 * step is tuned as an agent by the runs of its sessions. A model written as an expression (`"opus[1m]"
 * if deep else "sonnet"`) is chosen at run time: it is named and left alone.
 */
export const autoskillitLayout: TargetLayout = {
  name: 'autoskillit',
  description: "AutoSkillit's recipe YAML (steps.<step>.model) and config/defaults.yaml (model.default)",
  syntax: 'yaml',
  steps: { at: ['steps'], model: (step) => ['steps', step, 'model'], default_model: ['model', 'default'] },
};

/** A model value AutoSkillit chooses at run time rather than one to edit. */
export const isModelExpression = (v: string): boolean => /\sif\s|\selse\s|\{\{|\$\{/.test(v);
