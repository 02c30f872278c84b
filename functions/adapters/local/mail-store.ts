// Received mail, its attachments and the trainings' audio on this machine: the layout of the S3
// buckets (adapters/aws/mail-store.ts, audio-store.ts) under the data folder, <dataDir>/inbound and
// <dataDir>/attachments, so a developer can open what arrived with any mail client. Kept apart
// from the S3 stores so that what uses only the local one (`baton publish --dry-run`, every local
// command) never loads the S3 client.
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { AudioStore, MailStore } from '#app/ports';
import { checkKey } from '../storage-key.ts';

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
