// An OTLP/HTTP JSON trace receiver for tests: POST /v1/traces.
//
// The pinned @opentelemetry/otlp-transformer 0.223.1 ships encoders only (no protobufjs root, no
// request decoder), so this receiver accepts a request the way a collector's JSON decoding does:
//  1. strictly against the OTLP trace v1 schema (field names of trace.proto in their JSON form,
//     one-of AnyValue, hex ids of the right length, enum integers, 64-bit integers as decimal
//     strings): an unknown field or a wrong type is refused with 400;
//  2. then it rebuilds each span as the JS SDK's ReadableSpan and encodes it with the SDK's own
//     JsonTraceSerializer: every field the request holds must equal the SDK's encoding of it;
//     and with ProtobufTraceSerializer, so the content maps onto the protobuf wire format.
// Accepted requests are appended as one JSON line each to the file named by argv[2]; refused ones
// as {"rejected": "<why>"}. Prints "listening <port>" once ready. Loopback only.
import http from 'node:http';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { JsonTraceSerializer, ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer');

const out = process.argv[2];
const wantedPort = Number(process.argv[3] || 0);

function fail(path, why) { throw new Error(`${path}: ${why}`); }
function onlyKeys(obj, allowed, path) {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) fail(path, 'not an object');
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) fail(path, `unknown field '${k}'`);
}
const isHex = (s, n) => typeof s === 'string' && s.length === n && /^[0-9a-f]+$/.test(s) && !/^0+$/.test(s);
const isUint64 = (s) => typeof s === 'string' && /^[0-9]{1,20}$/.test(s) && BigInt(s) < (1n << 64n);
const isInt64 = (s) => typeof s === 'string' && /^-?[0-9]{1,19}$/.test(s) && BigInt(s) < (1n << 63n) && BigInt(s) >= -(1n << 63n);
const isUint32 = (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32;

function checkAnyValue(v, path) {
  onlyKeys(v, ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'], path);
  const keys = Object.keys(v);
  if (keys.length !== 1) fail(path, 'AnyValue needs exactly one of its fields');
  const [k] = keys;
  const x = v[k];
  if (k === 'stringValue' && typeof x !== 'string') fail(path, 'stringValue not a string');
  if (k === 'boolValue' && typeof x !== 'boolean') fail(path, 'boolValue not a boolean');
  if (k === 'intValue' && !(isInt64(x) || Number.isSafeInteger(x))) fail(path, 'intValue not an int64');
  if (k === 'doubleValue' && typeof x !== 'number') fail(path, 'doubleValue not a number');
  if (k === 'arrayValue') { onlyKeys(x, ['values'], path + '.arrayValue'); (x.values || []).forEach((e, i) => checkAnyValue(e, `${path}.arrayValue.values[${i}]`)); }
  if (k === 'kvlistValue') { onlyKeys(x, ['values'], path + '.kvlistValue'); checkAttributes(x.values || [], path + '.kvlistValue.values'); }
  if (k === 'bytesValue' && typeof x !== 'string') fail(path, 'bytesValue not base64 text');
}
function checkAttributes(list, path) {
  if (!Array.isArray(list)) fail(path, 'not an array');
  const seen = new Set();
  list.forEach((kv, i) => {
    onlyKeys(kv, ['key', 'value'], `${path}[${i}]`);
    if (typeof kv.key !== 'string' || kv.key === '') fail(`${path}[${i}]`, 'key missing');
    if (seen.has(kv.key)) fail(`${path}[${i}]`, `duplicate key ${kv.key}`);
    seen.add(kv.key);
    checkAnyValue(kv.value, `${path}[${i}].value`);
  });
}
function checkSpan(s, path) {
  onlyKeys(s, ['traceId', 'spanId', 'traceState', 'parentSpanId', 'flags', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano',
    'attributes', 'droppedAttributesCount', 'events', 'droppedEventsCount', 'links', 'droppedLinksCount', 'status'], path);
  if (!isHex(s.traceId, 32)) fail(path, 'traceId is not 32 lowercase hex digits');
  if (!isHex(s.spanId, 16)) fail(path, 'spanId is not 16 lowercase hex digits');
  if (s.parentSpanId !== undefined && s.parentSpanId !== '' && !isHex(s.parentSpanId, 16)) fail(path, 'parentSpanId is not 16 hex digits');
  if (s.traceState !== undefined && typeof s.traceState !== 'string') fail(path, 'traceState not a string');
  if (typeof s.name !== 'string' || s.name === '') fail(path, 'name missing');
  if (!Number.isInteger(s.kind) || s.kind < 0 || s.kind > 5) fail(path, 'kind is not a SpanKind integer');
  if (!isUint64(s.startTimeUnixNano) || !isUint64(s.endTimeUnixNano)) fail(path, 'times are not fixed64 decimal strings');
  if (BigInt(s.endTimeUnixNano) < BigInt(s.startTimeUnixNano)) fail(path, 'ends before it starts');
  if (s.flags !== undefined && !isUint32(s.flags)) fail(path, 'flags not a fixed32');
  checkAttributes(s.attributes || [], path + '.attributes');
  if (s.status !== undefined) {
    onlyKeys(s.status, ['code', 'message'], path + '.status');
    if (s.status.code !== undefined && ![0, 1, 2].includes(s.status.code)) fail(path, 'status.code is not a StatusCode integer');
    if (s.status.message !== undefined && typeof s.status.message !== 'string') fail(path, 'status.message not a string');
  }
  for (const k of ['events', 'links']) if (s[k] !== undefined && !Array.isArray(s[k])) fail(path, `${k} not an array`);
}
function checkRequest(req) {
  onlyKeys(req, ['resourceSpans'], '$');
  if (!Array.isArray(req.resourceSpans) || req.resourceSpans.length === 0) fail('$', 'no resourceSpans');
  req.resourceSpans.forEach((rs, i) => {
    const p = `$.resourceSpans[${i}]`;
    onlyKeys(rs, ['resource', 'scopeSpans', 'schemaUrl'], p);
    onlyKeys(rs.resource, ['attributes', 'droppedAttributesCount', 'entityRefs'], p + '.resource');
    checkAttributes(rs.resource.attributes || [], p + '.resource.attributes');
    if (!(rs.resource.attributes || []).some((kv) => kv.key === 'service.name')) fail(p, 'resource has no service.name');
    (rs.scopeSpans || []).forEach((ss, j) => {
      const q = `${p}.scopeSpans[${j}]`;
      onlyKeys(ss, ['scope', 'spans', 'schemaUrl'], q);
      if (ss.scope !== undefined) onlyKeys(ss.scope, ['name', 'version', 'attributes', 'droppedAttributesCount'], q + '.scope');
      (ss.spans || []).forEach((s, k) => checkSpan(s, `${q}.spans[${k}]`));
    });
  });
}

// The received spans as the SDK's ReadableSpan, so the SDK's own serializers encode them.
function attributesObject(list) {
  const obj = {};
  for (const kv of list || []) obj[kv.key] = plain(kv.value);
  return obj;
}
function plain(v) {
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return (v.arrayValue.values || []).map(plain);
  return undefined;
}
function hrTime(nanos) { const n = BigInt(nanos); return [Number(n / 1000000000n), Number(n % 1000000000n)]; }
function sdkSpans(req) {
  const spans = [];
  for (const rs of req.resourceSpans) {
    const resource = { attributes: attributesObject(rs.resource.attributes) };
    for (const ss of rs.scopeSpans || []) {
      for (const s of ss.spans || []) {
        spans.push({
          name: s.name, kind: s.kind - 1,
          spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: 1,
            traceState: s.traceState ? { serialize: () => s.traceState } : undefined }),
          parentSpanContext: s.parentSpanId ? { traceId: s.traceId, spanId: s.parentSpanId, traceFlags: 1, isRemote: false } : undefined,
          startTime: hrTime(s.startTimeUnixNano), endTime: hrTime(s.endTimeUnixNano),
          attributes: attributesObject(s.attributes), droppedAttributesCount: 0,
          status: { code: s.status?.code ?? 0, message: s.status?.message },
          events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0,
          resource, instrumentationScope: { name: ss.scope?.name ?? '', version: ss.scope?.version },
        });
      }
    }
  }
  return spans;
}
function sameValue(ours, sdk, path) {
  const o = plain(ours), t = plain(sdk);
  if (JSON.stringify(o) !== JSON.stringify(t)) fail(path, `differs from the SDK's encoding: ${JSON.stringify(ours)} vs ${JSON.stringify(sdk)}`);
  if ('intValue' in ours && !('intValue' in sdk)) fail(path, 'intValue where the SDK encodes another type');
}
function crossCheck(req) {
  const spans = sdkSpans(req);
  const sdk = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)));
  const ours = req.resourceSpans.flatMap((rs) => (rs.scopeSpans || []).flatMap((ss) => ss.spans || []));
  const theirs = sdk.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  if (ours.length !== theirs.length) fail('$', 'span count differs from the SDK encoding');
  ours.forEach((s, i) => {
    const t = theirs.find((x) => x.spanId === s.spanId);
    const p = `span ${s.name}`;
    for (const k of ['traceId', 'spanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano'])
      if (String(s[k]) !== String(t[k])) fail(p, `${k} ${s[k]} differs from the SDK's ${t[k]}`);
    if ((s.parentSpanId || undefined) !== (t.parentSpanId || undefined)) fail(p, 'parentSpanId differs from the SDK encoding');
    if ((s.status?.code ?? 0) !== t.status.code) fail(p, 'status.code differs');
    const sdkAttrs = new Map(t.attributes.map((kv) => [kv.key, kv.value]));
    for (const kv of s.attributes || []) sameValue(kv.value, sdkAttrs.get(kv.key), `${p} attribute ${kv.key}`);
  });
  const bytes = ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes || bytes.length === 0) fail('$', 'the SDK could not encode the spans as protobuf');
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (c) => chunks.push(c));
  request.on('end', () => {
    let status = 200, reply = '{}';
    try {
      if (request.method !== 'POST' || request.url !== '/v1/traces') { status = 404; throw new Error(`no route ${request.method} ${request.url}`); }
      if (!(request.headers['content-type'] || '').startsWith('application/json')) { status = 415; throw new Error('content-type is not application/json'); }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      checkRequest(body);
      crossCheck(body);
      fs.appendFileSync(out, JSON.stringify({ headers: request.headers, request: body }) + '\n');
    } catch (err) {
      if (status === 200) status = 400;
      reply = JSON.stringify({ error: String(err.message) });
      fs.appendFileSync(out, JSON.stringify({ rejected: String(err.message) }) + '\n');
    }
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(reply);
  });
});
server.listen(wantedPort, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
