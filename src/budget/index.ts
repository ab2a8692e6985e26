export { alertText, budgetLine, budgetSummary, scopeName, type BudgetLine, type ScopeSpend } from './budget.js';
export { postAlert, type PostOptions } from './webhook.js';
