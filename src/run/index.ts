export { runCheck, type CheckReport, type CheckOptions } from './check.js';
export { runTune, type GatedResult, type ProposalResult, type RunResult, type TuneOptions } from './tune.js';
export type { GateLevel } from './gate.js';
export { runBlocksReport, runBudgetReport, runReport, runStepReport, runStatus, STATUS_FULL_READ_MS, type ReportRunOptions, type StatusFigures } from './report.js';
export { initConfig, discover, renderConfig, CONFIG_NAME, type Found } from './init.js';
export { runWaste } from './waste.js';
