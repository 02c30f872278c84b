// Types for cli/build.js, which stays plain JavaScript so `npm install` can run it without tsx.
export function buildCli(options?: { quiet?: boolean }): Promise<boolean>;
