// The CDK app: `npx cdk synth` / `npx cdk deploy` run this (see cdk.json). Configuration comes
// from context and is validated before any construct is created.
import { App, Validations } from 'aws-cdk-lib';
import { ConfigError, readConfig, type Config } from './config.ts';

const app = new App();
let config: Config;
try {
  config = readConfig(app.node);
} catch (error) {
  // A configuration mistake is the operator's to fix, not a crash: the message alone, no stack.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

// The stacks and cdk-nag load only for a configuration that passed: a mistake is reported before
// the constructs' modules are read.
const [{ StateStack }, { ServiceStack }, { AwsSolutionsChecks }] = await Promise.all([import('./state-stack.ts'), import('./service-stack.ts'), import('cdk-nag')]);

// Without an account and region in the environment the stacks stay environment-agnostic, which
// is what lets `cdk synth` run offline; `cdk deploy` fills them from the caller's credentials.
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

const state = new StateStack(app, 'BatonState', {
  env,
  description: 'Baton state: the table, the inbound-mail and attachment buckets, the reply-token secret, the SES identity',
  domain: config.domain,
});
new ServiceStack(app, 'BatonService', {
  env,
  description: 'Baton service: the Lambdas that send trainings and take in replies',
  config,
  state,
});

// cdk-nag's AWS Solutions rules run on every synth and stop it on a finding; each deliberate
// exception is acknowledged next to the resource it concerns, with its reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
