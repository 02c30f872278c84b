// What the Lambda bundles use in place of @aws-sdk/credential-provider-node (an esbuild alias set
// in infra/bundling.ts): Lambda hands every function its role's credentials in the
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is the first
// link of the SDK's default chain and the one a function always takes. The rest of the chain
// (SSO, INI profiles, credential processes, web identity, container and instance metadata) is for
// laptops and servers; bundled, it brought the STS, SSO and sign-in clients along, ~85 KB that
// every cold start parsed and no invocation ran. The CLI and tests import the SDK unaliased.
import { fromEnv } from '@aws-sdk/credential-provider-env';

type Init = Parameters<typeof fromEnv>[0];

/** The SDK clients call this as their `credentialDefaultProvider`. */
export const defaultProvider = (init: Init = {}) => fromEnv(init);
