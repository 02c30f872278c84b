import { describe, expect, it } from 'vitest';
import { DispatchEnvSchema, InboundEnvSchema, LinksEnvSchema, readRuntimeConfig, RuntimeConfigError, TableEnvSchema } from '#adapters/aws/runtime-config';

const env = {
  TABLE_NAME: 'BatonState-Table',
  AWS_REGION: 'eu-west-1',
  REPLY_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:Reply-abc',
  BATON_DOMAIN: 'baton.example.com',
  BATON_INBOUND_DOMAIN: 'reply.baton.example.com',
  BATON_SENDER: 'training@baton.example.com',
  BATON_LINKS_BASE_URL: 'https://abc.lambda-url.eu-west-1.on.aws',
  BATON_MAX_SEND_RATE: '14',
  BATON_CONFIGURATION_SET: 'baton',
  BATON_FANOUT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout',
};

describe('readRuntimeConfig', () => {
  it('parses the variables the stack sets, numbers as numbers, with the batch size defaulted', () => {
    const config = readRuntimeConfig(DispatchEnvSchema, 'dispatch', env);
    expect(config.BATON_MAX_SEND_RATE).toBe(14);
    expect(config.BATON_FANOUT_BATCH_SIZE).toBe(200);
    expect(readRuntimeConfig(DispatchEnvSchema, 'dispatch', { ...env, BATON_FANOUT_BATCH_SIZE: '50' }).BATON_FANOUT_BATCH_SIZE).toBe(50);
  });

  it('names every missing or malformed variable at once, and says to redeploy', () => {
    const { TABLE_NAME: _, ...rest } = env;
    let message = '';
    try {
      readRuntimeConfig(DispatchEnvSchema, 'dispatch', { ...rest, BATON_MAX_SEND_RATE: 'fast', BATON_LINKS_BASE_URL: 'ftp://x', BATON_SENDER: '' });
    } catch (error) {
      expect(error).toBeInstanceOf(RuntimeConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain("the dispatch function's environment is incomplete");
    expect(message).toContain('- TABLE_NAME is not set');
    expect(message).toContain('- BATON_SENDER is not set');
    expect(message).toContain('- BATON_MAX_SEND_RATE must be a positive number of emails per second (got "fast")');
    expect(message).toContain('- BATON_LINKS_BASE_URL must be an http(s) URL (got "ftp://x")');
    expect(message).toContain('redeploy it (npx cdk deploy --all)');
  });

  it('asks each function only for what it uses', () => {
    expect(readRuntimeConfig(TableEnvSchema, 'mail-events', { TABLE_NAME: 't', AWS_REGION: 'eu-west-1' })).toEqual({ TABLE_NAME: 't', AWS_REGION: 'eu-west-1' });
    expect(() => readRuntimeConfig(TableEnvSchema, 'mail-events', {})).toThrow(/mail-events[\s\S]*TABLE_NAME is not set[\s\S]*AWS_REGION is not set/);
  });

  it('reads the links and inbound environments the same way, the upload URL optional', () => {
    expect(() => readRuntimeConfig(LinksEnvSchema, 'links', { TABLE_NAME: 't', AWS_REGION: 'eu-west-1' })).toThrow(/links[\s\S]*REPLY_TOKEN_SECRET_ARN is not set/);
    // The links function plays the generated audio from the attachment bucket.
    expect(() => readRuntimeConfig(LinksEnvSchema, 'links', env)).toThrow(/links[\s\S]*ATTACHMENT_BUCKET is not set/);
    expect(readRuntimeConfig(LinksEnvSchema, 'links', { ...env, ATTACHMENT_BUCKET: 'attachments' }).ATTACHMENT_BUCKET).toBe('attachments');
    const buckets = { INBOUND_BUCKET: 'inbound', ATTACHMENT_BUCKET: 'attachments' };
    expect(readRuntimeConfig(InboundEnvSchema, 'inbound', { ...env, ...buckets }).BATON_UPLOAD_URL).toBeUndefined();
    expect(readRuntimeConfig(InboundEnvSchema, 'inbound', { ...env, ...buckets, BATON_UPLOAD_URL: 'https://up.example' }).BATON_UPLOAD_URL).toBe('https://up.example');
    expect(() => readRuntimeConfig(InboundEnvSchema, 'inbound', env)).toThrow(/inbound[\s\S]*INBOUND_BUCKET is not set[\s\S]*ATTACHMENT_BUCKET is not set/);
  });
});
