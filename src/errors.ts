// The viewer listener's error table and EdgeError (docs/errors.md). They live in rules/errors.ts,
// which the function workers import too (result validation runs there); this is the host's name for them.

export { EdgeError, ERRORS, isEdgeError, type ErrorCode, type Stage } from './rules/errors.js';
