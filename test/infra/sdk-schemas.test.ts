// The SDK clients' schema files, bundled with their computed keys written as strings (sdkSchemaKeys
// in infra/bundling.ts, issue 16): the shapes of operations nothing in a bundle calls are left out,
// and the clients still talk to real servers exactly as the unbundled ones do — DynamoDB through
// dynalite (items written and read back, a refused condition raised as the service's own error
// class), SES through aws-ses-v2-local (a mail sent, the account's quota read).
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as dynamo from '@aws-sdk/client-dynamodb';
import * as sesv2 from '@aws-sdk/client-sesv2';
import sesLocalModule from 'aws-ses-v2-local';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleOptions, literalSchemaKeys, PROJECT_ROOT, SDK_SCHEMA_FILE } from '#infra/bundling';
import { localSesAccount } from '#adapters/local/stack';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

type Dynamo = Pick<typeof dynamo, 'ConditionalCheckFailedException' | 'DynamoDBClient' | 'GetItemCommand' | 'PutItemCommand' | 'QueryCommand'>;
type Ses = typeof sesv2;
const sesLocal = (sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ?? sesLocalModule;
const local = { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

describe('the SDK clients, bundled with their schema keys as strings', () => {
  let dir: string;
  let db: TestDynalite;
  let server: Server;
  let sesEndpoint: string;
  let bundled: { dynamo: Dynamo; ses: Ses };
  /** The bundle's code, and the same entry bundled without the plugin. */
  let code: string;
  let plainCode: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-sdk-schemas-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      "import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';\n" +
        'export const dynamo = { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand };\n' +
        "export { SESv2Client, SendEmailCommand, GetAccountCommand } from '@aws-sdk/client-sesv2';\n",
    );
    const options = (out: string, keep: (plugin: string) => boolean) => {
      const o = bundleOptions(entry, join(dir, out));
      return { ...o, plugins: o.plugins!.filter((p) => keep(p.name)), sourcemap: false, nodePaths: [join(PROJECT_ROOT, 'node_modules')], metafile: true };
    };
    const result = await build(options('out', () => true));
    // The plugin read the two clients' schema files.
    const schemaFiles = Object.keys(result.metafile!.inputs).filter((p) => SDK_SCHEMA_FILE.test(join(PROJECT_ROOT, p)));
    expect(schemaFiles.map((p) => p.replace(/.*@aws-sdk\//, '').split('/')[0]).sort()).toEqual(['client-dynamodb', 'client-sesv2']);
    const mod = (await import(pathToFileURL(join(dir, 'out', 'index.mjs')).href)) as { dynamo: Dynamo } & Ses;
    bundled = { dynamo: mod.dynamo, ses: mod as unknown as Ses };
    code = readFileSync(join(dir, 'out', 'index.mjs'), 'utf8');
    // The same entry without the plugin, to compare with.
    await build(options('plain', (name) => name !== 'baton-sdk-schema-keys'));
    plainCode = readFileSync(join(dir, 'plain', 'index.mjs'), 'utf8');

    db = await startDynalite({ tableName: 'baton-sdk-schemas' });
    vi.stubEnv('AWS_SES_ACCOUNT', JSON.stringify(localSesAccount(9)));
    server = await sesLocal({ host: '127.0.0.1', port: 0 });
    sesEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    await db?.stop();
    if (server) {
      await fetch(`${sesEndpoint}/clear-store`, { method: 'POST' });
      await new Promise<void>((r) => server.close(() => r()));
    }
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves out the shapes of the operations the bundle never calls', () => {
    // SendEmail's shapes are in; those of, say, the contact lists are not, and were before.
    // Booleans, so a failure names the shape rather than printing a bundle.
    const holds = (text: string, name: string) => text.includes(`"${name}"`);
    for (const name of ['SendEmailRequest', 'GetAccountResponse', 'TooManyRequestsException']) expect(holds(code, name), name).toBe(true);
    for (const name of ['CreateContactListRequest', 'PutDedicatedIpWarmupAttributesRequest']) {
      expect(holds(plainCode, name), name).toBe(true);
      expect(holds(code, name), name).toBe(false);
    }
    expect(code.length).toBeLessThan(plainCode.length - 30_000);
    process.stdout.write(`DynamoDB and SES clients bundled: ${plainCode.length} → ${code.length} bytes\n`);
  });

  it('writes, reads and queries DynamoDB items as the unbundled client does', async () => {
    const clients = [new bundled.dynamo.DynamoDBClient({ ...local, endpoint: db.endpoint }), new dynamo.DynamoDBClient({ ...local, endpoint: db.endpoint })];
    try {
      const answers = [];
      for (const [i, client] of clients.entries()) {
        const pk = `SERIES#s${i}`;
        const item = { pk: { S: pk }, sk: { S: 'P#ana' }, n: { N: '3' }, tags: { SS: ['a', 'b'] }, m: { M: { zone: { S: 'Asia/Brunei' }, on: { BOOL: true }, none: { NULL: true } } }, b: { B: new Uint8Array([1, 2, 255]) } };
        await client.send(new (i === 0 ? bundled.dynamo : dynamo).PutItemCommand({ TableName: db.tableName, Item: item }));
        const got = await client.send(new (i === 0 ? bundled.dynamo : dynamo).GetItemCommand({ TableName: db.tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }));
        const queried = await client.send(
          new (i === 0 ? bundled.dynamo : dynamo).QueryCommand({ TableName: db.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } }, ConsistentRead: true }),
        );
        expect(got.Item).toEqual(item);
        answers.push({ item: { ...got.Item, pk: undefined }, count: queried.Count, status: got.$metadata.httpStatusCode });
      }
      expect(answers[0]).toEqual(answers[1]);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('raises a refused condition as DynamoDB’s own error class, as the unbundled client does', async () => {
    const client = new bundled.dynamo.DynamoDBClient({ ...local, endpoint: db.endpoint });
    try {
      const put = () =>
        client.send(new bundled.dynamo.PutItemCommand({ TableName: db.tableName, Item: { pk: { S: 'SERIES#x' }, sk: { S: 'META' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
      await put();
      const error = await put().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(bundled.dynamo.ConditionalCheckFailedException);
      expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    } finally {
      client.destroy();
    }
  });

  it('sends a mail and reads the account’s quota through SES', async () => {
    const client = new bundled.ses.SESv2Client({ ...local, endpoint: sesEndpoint });
    try {
      const sent = await client.send(
        new bundled.ses.SendEmailCommand({
          FromEmailAddress: 'training@baton.example.com',
          Destination: { ToAddresses: ['ana@example.com'] },
          Content: { Simple: { Subject: { Data: 'Week 1' }, Body: { Text: { Data: 'Share one strategy.' } } } },
        }),
      );
      expect(sent.MessageId).toMatch(/\S/);
      const store = (await (await fetch(`${sesEndpoint}/store`)).json()) as { emails: { subject: string; destination: { to: string[] } }[] };
      expect(store.emails.map((m) => [m.subject, m.destination.to])).toEqual([['Week 1', ['ana@example.com']]]);
      const account = await client.send(new bundled.ses.GetAccountCommand({}));
      expect(account.SendQuota?.MaxSendRate).toBe(9);
    } finally {
      client.destroy();
    }
  });

  it('fails the build when a computed key names no string constant of the file', () => {
    const text = 'const _e = "error";\nexport var A$ = [-3, n0, "A", { [_e]: _c, [_zz]: 400 }, [], []];\n';
    expect(() => literalSchemaKeys(text, 'schemas_0.js')).toThrow(/schemas_0\.js has computed keys that name no string constant of the file \(_zz\)/);
    expect(literalSchemaKeys('const _e = "error";\nvar A = [0, { [_e]: 1 }];\n', 'x')).toBe('const _e = "error";\nvar A = [0, { "error": 1 }];\n');
    // "__proto__" written literally would set the prototype instead of making a property.
    expect(() => literalSchemaKeys('const _p = "__proto__";\nvar A = [0, { [_p]: 1 }];\n', 'y')).toThrow(/\(_p\)/);
  });
});
