export { fingerprintOf, sameFingerprint, sha256 } from './fingerprint.js';
export { compareDecisions, decisionSet, type DecisionSet } from './decisions.js';
