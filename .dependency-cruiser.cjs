// The house rule, checked on every `npm test` (test/unit/house.test.ts runs it):
//
//   core ← mail ← app ← web ← adapters / handlers / cli    contract ← everyone; infra → contract only
//
// core is the domain and imports nothing of Baton's; mail renders at send time; app holds the use
// cases and owns their ports, so it never imports an adapter; adapters, handlers and the CLI are
// the only places that construct clients and wire things together. emails/ is the publish-time
// MJML compiler (handed to publish as its TemplateCompiler port). docs/architecture-notes.md
// tells the same story for people.
const PRODUCT = '^(functions|emails|cli|infra|contract)/';
const NOT_TESTS = '^(test|bench)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle of imports holds only by module order; break it with a contract file both sides import.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      comment: 'The domain is pure: it knows no rendering, no use case, no adapter, no CLI.',
      severity: 'error',
      from: { path: '^functions/core/' },
      to: { path: '^(functions/(mail|app|web|adapters|handlers)|emails|cli|infra|contract|test|bench)/' },
    },
    {
      name: 'mail-imports-core-only',
      comment: 'Send-time rendering may use the domain, nothing above it.',
      severity: 'error',
      from: { path: '^functions/mail/' },
      to: { path: '^(functions/(app|web|adapters|handlers)|emails|cli|infra|test|bench)/' },
    },
    {
      name: 'app-never-imports-adapters',
      comment: 'Use cases define ports (functions/app/ports.ts); adapters implement them.',
      severity: 'error',
      from: { path: '^functions/app/' },
      to: { path: '^(functions/(web|adapters|handlers)|emails|cli|infra|test|bench)/' },
    },
    {
      name: 'web-renders-app-views',
      comment: "The studio's pages render what the use cases return: they may read core, mail (escaping, palette) and app types, never an adapter.",
      severity: 'error',
      from: { path: '^functions/web/' },
      to: { path: '^(functions/(adapters|handlers)|emails|cli|infra|test|bench)/' },
    },
    {
      name: 'adapters-below-entries',
      comment: 'Adapters are wired by handlers and the CLI, never the other way round.',
      severity: 'error',
      from: { path: '^functions/adapters/' },
      to: { path: '^(functions/handlers|cli|infra|test|bench)/' },
    },
    {
      name: 'nothing-imports-handlers',
      comment: 'A handler is an entry point; shared plumbing lives in an adapter.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: '^functions/handlers/' },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'The CLI is an entry point; what others need of it belongs in app or adapters.',
      severity: 'error',
      from: { path: PRODUCT, pathNot: '^cli/' },
      to: { path: '^cli/' },
    },
    {
      name: 'emails-are-publish-time',
      comment: 'The MJML compiler may use the domain and send-time helpers, nothing that runs a job.',
      severity: 'error',
      from: { path: '^emails/' },
      to: { path: '^(functions/(app|web|adapters|handlers)|cli|infra|test|bench)/' },
    },
    {
      name: 'contract-imports-nothing',
      comment: 'Names shared by the stacks and the code: no imports at all, so anyone can take them.',
      severity: 'error',
      from: { path: '^contract/' },
      to: { pathNot: '^contract/' },
    },
    {
      name: 'infra-imports-contract-only',
      comment: 'The CDK app sees the code only through contract/ (and bundles handlers by path).',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(functions|emails|cli|test|bench)/' },
    },
    {
      name: 'aws-sdk-only-in-adapters',
      comment: 'Only adapters talk to AWS; everything else gets a port.',
      severity: 'error',
      from: { path: PRODUCT, pathNot: '^functions/adapters/' },
      to: { path: 'node_modules/@aws-sdk/' },
    },
    {
      name: 'emails-only-where-publishing',
      comment:
        'emails/ compiles with mjml (~4 MB bundled): only what publishes may import it: the CLI, the local wiring (on first use), and the one ' +
        'Lambda that applies studio edits, handlers/publish.ts, whose bundle has its own budget. Every other handler stays mjml-free.',
      severity: 'error',
      from: { path: PRODUCT, pathNot: '^(emails|cli)/|^functions/adapters/local/|^functions/handlers/publish\\.ts$' },
      to: { path: '^emails/' },
    },
    {
      name: 'mjml-only-in-emails',
      comment: 'mjml is imported by emails/ alone; which bundles may reach emails/ is the rule above (only the publish function).',
      severity: 'error',
      from: { path: PRODUCT, pathNot: '^emails/' },
      to: { path: 'node_modules/mjml' },
    },
    {
      name: 'product-never-imports-tests',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: NOT_TESTS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|\\.data|cli/dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
