// Where received mail and its attachments are kept. In AWS: SES writes each raw message to the
// inbound bucket (`inbound/<ses message id>`), the handler reads it from there, and attachments go
// to the attachment bucket. Locally: the same layout under the data folder, <dataDir>/inbound and
// <dataDir>/attachments (adapters/local/mail-store.ts), so a developer can open what arrived with
// any mail client.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { MailStore } from '#app/ports';
import { checkKey } from '../storage-key.ts';

export type { AudioStore, MailStore } from '#app/ports';

export function createS3Client(options: { endpoint?: string; region?: string } = {}): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint
      ? { endpoint: options.endpoint, forcePathStyle: true, region: options.region ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}

/**
 * Reads a training's generated audio from the attachment bucket for the links function, which
 * plays it at `/audio/<hash>.mp3`; a missing key is no audio, not an error.
 */
export function s3AudioReader(bucket: string, region: string, client = createS3Client({ region })): (key: string) => Promise<Uint8Array | undefined> {
  return async (key) => {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: checkKey(key) }));
      return out.Body ? await out.Body.transformToByteArray() : undefined;
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  };
}

export class S3MailStore implements MailStore {
  constructor(
    private readonly opts: {
      client: S3Client;
      /** The bucket SES writes raw mail to. */
      inboundBucket: string;
      attachmentBucket: string;
    },
  ) {}

  async putRaw(key: string, raw: Uint8Array): Promise<string> {
    await this.opts.client.send(
      new PutObjectCommand({ Bucket: this.opts.inboundBucket, Key: checkKey(key), Body: raw, ContentType: 'message/rfc822' }),
    );
    return `s3://${this.opts.inboundBucket}/${key}`;
  }

  async getRaw(key: string): Promise<Buffer> {
    const out = await this.opts.client.send(new GetObjectCommand({ Bucket: this.opts.inboundBucket, Key: checkKey(key) }));
    if (!out.Body) throw new Error(`s3://${this.opts.inboundBucket}/${key} has no body`);
    return Buffer.from(await out.Body.transformToByteArray());
  }

  async putAttachment(key: string, content: Uint8Array, contentType: string): Promise<string> {
    await this.opts.client.send(
      new PutObjectCommand({
        Bucket: this.opts.attachmentBucket,
        Key: checkKey(key),
        Body: content,
        ContentType: contentType,
        // Shown to others later: never rendered inline by a browser from our bucket.
        ContentDisposition: 'attachment',
      }),
    );
    return `s3://${this.opts.attachmentBucket}/${key}`;
  }
}
