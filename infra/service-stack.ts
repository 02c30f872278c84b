// The stateless half: the Lambdas and what triggers them. It can be destroyed and redeployed
// freely; everything it needs to keep lives in the state stack, passed in as props.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { BatonFunction } from './baton-function.ts';
import type { Config } from './config.ts';
import type { StateStack } from './state-stack.ts';

export type ServiceStackProps = StackProps & {
  config: Config;
  state: Pick<StateStack, 'table' | 'inboundMailBucket' | 'attachmentBucket' | 'replyTokenSecret'>;
};

export class ServiceStack extends Stack {
  readonly dispatch: BatonFunction;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, state } = props;

    // Invoked by a schedule per job; plans recipients, claims the delivery ledger, signs reply
    // addresses. Sending (SES) and the scheduler's role arrive with the dispatch core.
    this.dispatch = new BatonFunction(this, 'dispatch', {
      description: 'Runs one scheduled job: kickoff, training, reminder, roll-up, digest, follow-up or wrap-up',
      environment: {
        BATON_DOMAIN: config.domain,
        BATON_INBOUND_DOMAIN: config.inboundDomain,
        BATON_SENDER: config.sender,
        BATON_MAX_SEND_RATE: String(config.maxSendRate),
      },
    })
      .useTable(state.table, 'readWrite')
      .useReplyTokenSecret(state.replyTokenSecret);
  }
}
