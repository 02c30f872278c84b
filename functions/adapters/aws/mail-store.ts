// Where received mail and its attachments are kept. In AWS: SES writes each raw message to the
// inbound bucket (`inbound/<ses message id>`), the handler reads it from there, and attachments go
// to the attachment bucket. Locally: the same layout under the data folder, <dataDir>/inbound and
// <dataDir>/attachments, so a developer can open what arrived with any mail client.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { MailStore } from '#app/ports';

export type { MailStore } from '#app/ports';

/** Keys are built from ids and sanitized file names, but a key must never climb out of its folder. */
function checkKey(key: string): string {
  if (!key || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.' || p === '') || /[\u0000-\u001f\\]/.test(key)) {
    throw new Error(`"${key}" is not a valid storage key: use relative, slash-separated names without "." or ".." parts`);
  }
  return key;
}

export function createS3Client(options: { endpoint?: string; region?: string } = {}): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint
      ? { endpoint: options.endpoint, forcePathStyle: true, region: options.region ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
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

export class LocalMailStore implements MailStore {
  readonly inboundDir: string;
  readonly attachmentDir: string;

  constructor(dataDir: string) {
    this.inboundDir = resolve(dataDir, 'inbound');
    this.attachmentDir = resolve(dataDir, 'attachments');
  }

  private path(dir: string, key: string): string {
    const file = join(dir, checkKey(key));
    if (!file.startsWith(dir + sep)) throw new Error(`"${key}" would be stored outside ${dir}`);
    return file;
  }

  async putRaw(key: string, raw: Uint8Array): Promise<string> {
    const file = this.path(this.inboundDir, key);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, raw);
    return file;
  }

  async getRaw(key: string): Promise<Buffer> {
    return readFile(this.path(this.inboundDir, key));
  }

  async putAttachment(key: string, content: Uint8Array, _contentType: string): Promise<string> {
    const file = this.path(this.attachmentDir, key);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    return file;
  }
}
