import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { listHeaders, messageIdFor, parseOurIds, threadHeaders, threadRootId } from '#mail/headers';
import { buildMessage } from '#mail/mime';
import { participantKey } from '#core/short-key';

const DOMAIN = 'baton.example.com';
const pkey = participantKey('q1-productivity', 'ana@example.com');

describe('message ids', () => {
  it('are deterministic and carry kind, series, training and participant', () => {
    const input = { kind: 'training', seriesId: 'q1-productivity', trainingSlug: 'launch-prep', participantKey: pkey, domain: DOMAIN } as const;
    expect(messageIdFor(input)).toBe(`<training.q1-productivity.launch-prep.${pkey}@${DOMAIN}>`);
    expect(messageIdFor(input)).toBe(messageIdFor({ ...input }));
    expect(messageIdFor({ ...input, kind: 'kickoff', trainingSlug: undefined })).toBe(`<kickoff.q1-productivity._.${pkey}@${DOMAIN}>`);
    expect(messageIdFor({ ...input, kind: 'ack', extra: 'r-01j9z8' })).toBe(`<ack.q1-productivity.launch-prep.${pkey}.r-01j9z8@${DOMAIN}>`);
  });

  it('refuse fields that would break the id apart', () => {
    expect(() => messageIdFor({ kind: 'training', seriesId: 'q1.productivity', participantKey: pkey, domain: DOMAIN })).toThrow(/series id/);
    expect(() => messageIdFor({ kind: 'training', seriesId: 'q1', trainingSlug: 'A b', participantKey: pkey, domain: DOMAIN })).toThrow(/training slug/);
  });

  it('thread every mail of one training under one root', () => {
    const root = threadRootId('q1-productivity', 'launch-prep', DOMAIN);
    expect(root).toBe(`<thread.q1-productivity.launch-prep@${DOMAIN}>`);
    const training = threadHeaders({ kind: 'training', seriesId: 'q1-productivity', trainingSlug: 'launch-prep', participantKey: pkey, domain: DOMAIN });
    const reminder = threadHeaders({ kind: 'reminder', seriesId: 'q1-productivity', trainingSlug: 'launch-prep', participantKey: pkey, domain: DOMAIN });
    expect(training.inReplyTo).toBe(root);
    expect(reminder.inReplyTo).toBe(root);
    expect(training.references).toEqual([root, training.messageId]);
    expect(reminder.references[0]).toBe(root);
    expect(training.messageId).not.toBe(reminder.messageId);
  });
});

describe('parseOurIds', () => {
  const ours = `<training.q1-productivity.launch-prep.${pkey}@${DOMAIN}>`;
  const root = `<thread.q1-productivity.launch-prep@${DOMAIN}>`;
  const ses = '<0100018e1234abcd-5678-efgh-0000-000000000000@email.amazonses.com>';

  it('finds series, training and participant after SES rewrote our Message-ID', () => {
    // A reply's headers: In-Reply-To is the SES id; References keeps ours and adds the SES id.
    expect(parseOurIds([ses, `${root} ${ours} ${ses}`], DOMAIN)).toEqual({
      seriesId: 'q1-productivity',
      trainingSlug: 'launch-prep',
      participantKey: pkey,
      kind: 'training',
    });
  });

  it('copes with folded headers, case changes and the root alone', () => {
    expect(parseOurIds(`${root}\r\n ${ours.toUpperCase()}`, DOMAIN.toUpperCase())).toMatchObject({ participantKey: pkey, trainingSlug: 'launch-prep' });
    expect(parseOurIds([root], DOMAIN)).toEqual({ seriesId: 'q1-productivity', trainingSlug: 'launch-prep' });
    expect(parseOurIds(`<kickoff.q1-productivity._.${pkey}@${DOMAIN}>`, DOMAIN)).toEqual({ seriesId: 'q1-productivity', participantKey: pkey, kind: 'kickoff' });
  });

  it('ignores other domains, foreign ids and missing values', () => {
    expect(parseOurIds([ses, `<training.q1-productivity.launch-prep.${pkey}@evil.example.com>`], DOMAIN)).toBeUndefined();
    expect(parseOurIds(['<CAF=abc@mail.gmail.com>', undefined, '<bogus.x@baton.example.com>'], DOMAIN)).toBeUndefined();
    expect(parseOurIds(undefined, DOMAIN)).toBeUndefined();
    expect(parseOurIds(`<notakind.q1.launch-prep.${pkey}@${DOMAIN}>`, DOMAIN)).toBeUndefined();
  });

  it('reads back every id messageIdFor makes', () => {
    for (const kind of ['kickoff', 'training', 'reminder', 'follow-up', 'wrap-up', 'upload-link'] as const) {
      const id = messageIdFor({ kind, seriesId: 's-1', trainingSlug: 't-2', participantKey: pkey, domain: DOMAIN, extra: 'x1' });
      expect(parseOurIds(id, DOMAIN)).toEqual({ kind, seriesId: 's-1', trainingSlug: 't-2', participantKey: pkey });
    }
  });
});

describe('listHeaders', () => {
  const headers = listHeaders({
    unsubscribeUrl: 'https://baton.example.com/l/AbC_-123',
    unsubscribeMailto: 'unsubscribe+abc@in.baton.example.com?subject=unsubscribe',
    listId: 'q1-productivity.baton.example.com',
    listName: 'Productivity — Q1',
  });

  it('has RFC 8058 one-click unsubscribe, List-Id and the auto-reply guards', () => {
    expect(headers).toEqual({
      'List-Unsubscribe': '<https://baton.example.com/l/AbC_-123>, <mailto:unsubscribe+abc@in.baton.example.com?subject=unsubscribe>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': expect.stringMatching(/^=\?UTF-8\?B\?.+\?= <q1-productivity\.baton\.example\.com>$/) as unknown as string,
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
    });
    expect(listHeaders({ unsubscribeUrl: 'https://x.example/u', listId: 'l.example' })['List-Id']).toBe('<l.example>');
  });

  it('refuses a non-https one-click URL', () => {
    expect(() => listHeaders({ unsubscribeUrl: 'http://x.example/u', listId: 'l.example' })).toThrow(/https/);
  });

  it('survive a real MIME parser', async () => {
    const thread = threadHeaders({ kind: 'training', seriesId: 'q1-productivity', trainingSlug: 'launch-prep', participantKey: pkey, domain: DOMAIN });
    const raw = buildMessage({
      from: 'training@baton.example.com',
      to: 'ana@example.com',
      subject: 'Hello',
      date: new Date('2027-03-01T09:00:00Z'),
      messageId: thread.messageId,
      inReplyTo: thread.inReplyTo,
      references: thread.references,
      headers,
      text: 'Hi',
      html: '<p>Hi</p>',
      boundarySeed: thread.messageId,
    });
    const mail = await simpleParser(raw);
    expect(mail.messageId).toBe(thread.messageId);
    expect(mail.inReplyTo).toBe(thread.inReplyTo);
    expect(mail.references).toEqual(thread.references);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    // mailparser gathers the List-* headers under "list".
    const list = mail.headers.get('list') as unknown as Record<string, Record<string, string>>;
    expect(list.unsubscribe).toEqual({ url: 'https://baton.example.com/l/AbC_-123', mail: 'unsubscribe+abc@in.baton.example.com?subject=unsubscribe' });
    expect(list['unsubscribe-post']).toEqual({ name: 'List-Unsubscribe=One-Click' });
    expect(list.id!.id).toBe('q1-productivity.baton.example.com');
    // mailparser leaves encoded words in List-Id's phrase as they are; decode the one word here.
    const word = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(list.id!.name!);
    expect(Buffer.from(word![1]!, 'base64').toString('utf8')).toBe('Productivity — Q1');
    expect(mail.headers.get('x-auto-response-suppress')).toBe('All');
  });
});
