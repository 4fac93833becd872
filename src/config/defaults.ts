/**
 * edgeproxy's own defaults, in one place. CloudFront's rules live in src/rules/; these are the
 * values edgeproxy picks where a user has not said otherwise. docs/config.md lists every one of
 * them, and test/config/defaults.test.ts keeps the two in step.
 */

// ---------------------------------------------------------------------------------------------
// Distribution, listener and cache defaults (config layer)
// ---------------------------------------------------------------------------------------------






// ---------------------------------------------------------------------------------------------
// Function runtime defaults (worker pool, limits)
// ---------------------------------------------------------------------------------------------






// ---------------------------------------------------------------------------------------------
// Viewer connection defaults (timeouts, socket caps)
// ---------------------------------------------------------------------------------------------






// ---------------------------------------------------------------------------------------------
// Lambda Invoke API defaults
// ---------------------------------------------------------------------------------------------






export {};
