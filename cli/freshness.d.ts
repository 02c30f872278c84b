// Types for cli/freshness.js, plain JavaScript because cli/baton.js reads it before tsx is loaded.
export function newestSource(root: string): number;
