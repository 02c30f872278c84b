// Where received mail and its attachments are kept. In AWS: SES writes each raw message to the
// inbound bucket (`inbound/<ses message id>`), the handler reads it from there, and attachments go
// to the attachment bucket. Locally: the same layout under the data folder, <dataDir>/inbound and
// <dataDir>/attachments, so a developer can open what arrived with any mail client.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { AudioStore, MailStore } from '#app/ports';

export type { AudioStore, MailStore } from '#app/ports';

/** Keys are built from ids and sanitized file names, but a key must never climb out of its folder. */
export function checkKey(key: string): string {
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

export class LocalMailStore implements MailStore, AudioStore {
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

  /** Audio lives with the attachments, its duration in a `.json` beside it (S3 keeps it as metadata). */
  async getAudio(key: string): Promise<{ seconds: number } | undefined> {
    try {
      const meta = JSON.parse(await readFile(`${this.path(this.attachmentDir, key)}.json`, 'utf8')) as { seconds?: unknown };
      await access(this.path(this.attachmentDir, key));
      return typeof meta.seconds === 'number' && meta.seconds > 0 ? { seconds: meta.seconds } : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async putAudio(key: string, audio: Uint8Array, meta: { contentType: string; seconds: number }): Promise<void> {
    const file = await this.putAttachment(key, audio, meta.contentType);
    await writeFile(`${file}.json`, JSON.stringify({ seconds: meta.seconds, contentType: meta.contentType }));
  }

  /** The stored audio file for the links server, or undefined for a key that holds none. */
  audioFile(key: string): string | undefined {
    if (!/^audio\/[0-9a-f]{32}\.(wav|mp3)$/.test(key)) return undefined;
    return this.path(this.attachmentDir, key);
  }
}
