// What bench/cold-start.ts puts in place of every AWS SDK package for its withoutSdkRatioToNode
// reference: a module that costs nothing to import. Any export is a class whose instances and
// static calls do nothing, so a handler's module-level wiring (new DynamoDBClient(...),
// DynamoDBDocumentClient.from(...)) runs; nothing is ever sent through it (the reference only imports).
class Inert {
  constructor(input) {
    this.input = input;
    this.middlewareStack = { add() {}, clone() { return this; } };
  }
  static from() {
    return new Inert();
  }
  send() {
    throw new Error('bench/no-sdk.cjs: no AWS SDK in this reference bundle');
  }
}
module.exports = new Proxy({}, { get: (_, name) => (name === '__esModule' ? true : Inert) });
