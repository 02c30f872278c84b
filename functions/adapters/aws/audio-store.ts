// The trainings' generated audio on AWS: the attachment bucket's audio/ prefix, written by
// `baton publish` from the trainer's machine (never by a function: the links function only reads
// it, mail-store.ts s3AudioReader). The duration travels as the object's metadata, so a cache
// hit is one HeadObject and re-publishing unchanged text costs no synthesis.
import { HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AudioStore } from '#app/ports';
import { checkKey } from '../storage-key.ts';

export class S3AudioStore implements AudioStore {
  constructor(private readonly opts: { client: S3Client; attachmentBucket: string }) {}

  async getAudio(key: string): Promise<{ seconds: number } | undefined> {
    try {
      const out = await this.opts.client.send(new HeadObjectCommand({ Bucket: this.opts.attachmentBucket, Key: checkKey(key) }));
      const seconds = Number(out.Metadata?.['seconds']);
      return Number.isFinite(seconds) && seconds > 0 ? { seconds } : undefined;
    } catch (err) {
      if (err instanceof NotFound || (err as { name?: string }).name === 'NotFound') return undefined;
      throw err;
    }
  }

  async putAudio(key: string, audio: Uint8Array, meta: { contentType: string; seconds: number }): Promise<void> {
    await this.opts.client.send(
      new PutObjectCommand({
        Bucket: this.opts.attachmentBucket,
        Key: checkKey(key),
        Body: audio,
        ContentType: meta.contentType,
        Metadata: { seconds: meta.seconds.toFixed(2) },
      }),
    );
  }
}
