// Test vectors made and checked by the providers' own npm libraries:
//   node npm.mjs SENDER write ROOT   prints tests/vectors/SENDER.json
//   node npm.mjs SENDER check ROOT   prints one line per disagreement with the committed file
// SENDER: shopify (@shopify/shopify-api), github (@octokit/webhooks-methods, GitHub's), linear
// (@linear/sdk) or zoom (@zoom/rivet).
// make.py copies this file into .cache/vectors-node/ and runs it there, beside node_modules
// (ES modules resolve packages from their own folder).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import '@shopify/shopify-api/adapters/node';
import { shopifyApi, ApiVersion } from '@shopify/shopify-api';
import { createSHA256HMAC } from '@shopify/shopify-api/runtime';
import crypto from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { AwsLambdaReceiver } from '@zoom/rivet/meetings';

const [sender, mode, root] = process.argv.slice(2);
const NOW = 1795867200;

// A package's own version, from its package.json (its `exports` may hide it from import).
function version(pkg) {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(pkg)));
  while (!fs.existsSync(path.join(dir, 'package.json')) || JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== pkg) {
    dir = path.dirname(dir);
  }
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
}

const c = (name, headers, body, verdict) => ({ name, headers, body, now: NOW, verdict });

const SENDERS = {
  shopify: {
    secret: 'vector-shopify-app-client-secret',
    async make() {
      const BODY = '{"id":820982911946154508,"email":"jon@example.com","tags":"ünïcödé"}';
      const headers = (hmac) => ({
        'x-shopify-hmac-sha256': hmac,
        'x-shopify-topic': 'customers/create',
        'x-shopify-shop-domain': 'example.myshopify.com',
        'x-shopify-api-version': '2025-01',
        'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      });
      const good = await createSHA256HMAC(this.secret, BODY, 'base64');
      const other = await createSHA256HMAC('vector-shopify-rotated-client-secret', BODY, 'base64');
      return {
        made_by: `@shopify/shopify-api ${version('@shopify/shopify-api')} (npm): createSHA256HMAC`,
        cases: [
          c('signed', headers(good), BODY, 'accept'),
          c('tampered byte', headers(good), BODY.replace('jon', 'Jon'), 'signature_invalid'),
          c('another key', headers(other), BODY, 'signature_invalid'),
        ],
      };
    },
    async verifies(secret, kase) {
      const shopify = shopifyApi({
        apiKey: 'vector', apiSecretKey: secret, scopes: [], hostName: 'localhost',
        apiVersion: ApiVersion.January25, isEmbeddedApp: false, logger: { level: 0 },
      });
      const result = await shopify.webhooks.validate({
        rawBody: kase.body,
        rawRequest: { headers: kase.headers, method: 'POST', url: '/webhooks' },
        rawResponse: {},
      });
      return result.valid;
    },
  },
  github: {
    secret: 'vector-github-webhook-secret',
    async make() {
      const BODY = '{"action":"opened","issue":{"number":1347,"title":"ünïcödé"},"repository":{"full_name":"octocat/Hello-World"}}';
      const headers = (signature) => ({
        'x-hub-signature-256': signature,
        'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        'x-github-event': 'issues',
      });
      const good = await octokitSign(this.secret, BODY);
      const other = await octokitSign('vector-github-rotated-secret', BODY);
      return {
        made_by: `@octokit/webhooks-methods ${version('@octokit/webhooks-methods')} (npm): sign`,
        cases: [
          c('signed', headers(good), BODY, 'accept'),
          c('tampered byte', headers(good), BODY.replace('opened', 'Opened'), 'signature_invalid'),
          c('another key', headers(other), BODY, 'signature_invalid'),
        ],
      };
    },
    async verifies(secret, kase) {
      return octokitVerify(secret, kase.body, kase.headers['x-hub-signature-256']);
    },
  },
};

// Linear signs its time inside the body (`webhookTimestamp`, ms); its SDK verifies but does not
// sign, so the signature is made as its verify() computes it.
SENDERS.linear = {
  secret: 'lin_wh_vector_linear_signing_secret',
  async make() {
    const body = (t) => JSON.stringify({
      action: 'create', type: 'Issue', organizationId: 'e8d9f3a0-vector',
      data: { id: '2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9', title: 'ünïcödé' },
      url: 'https://linear.app/vector/issue/VEC-1', webhookTimestamp: t,
    });
    const sign = (secret, raw) => crypto.createHmac('sha256', secret).update(raw).digest('hex');
    const headers = (signature) => ({
      'linear-signature': signature,
      'linear-delivery': '234d1a4e-b617-4388-90fe-adc3633d6b72',
    });
    const T_MS = NOW * 1000 + 456;
    const signed = body(T_MS);
    const untimed = JSON.stringify({ action: 'create', type: 'Issue', data: { id: 'x' } });
    return {
      made_by: `@linear/sdk ${version('@linear/sdk')} (npm): LinearWebhookClient.verify (signed as it computes)`,
      cases: [
        c('signed', headers(sign(this.secret, signed)), signed, 'accept'),
        c('tampered byte', headers(sign(this.secret, signed)), signed.replace('create', 'Create'), 'signature_invalid'),
        c('another key', headers(sign('lin_wh_another_linear_secret', signed)), signed, 'signature_invalid'),
        { ...c('stale', headers(sign(this.secret, signed)), signed, 'timestamp_out_of_tolerance'), now: NOW + 301 },
        c('no time in the body', headers(sign(this.secret, untimed)), untimed, 'signature_missing'),
      ],
    };
  },
  async verifies(secret, kase) {
    const realNow = Date.now;
    Date.now = () => kase.now * 1000;
    try {
      return new LinearWebhookClient(secret).verify(Buffer.from(kase.body), kase.headers['linear-signature']);
    } catch {
      return false;
    } finally {
      Date.now = realNow;
    }
  },
};

// Zoom's Rivet verifies (its Lambda receiver, which also answers `endpoint.url_validation`) but
// does not sign, so the signature is made as its verifier computes it. It re-serialises the
// parsed JSON before hashing: the bodies here are compact, as Zoom sends them. It checks no time,
// so the tolerance is the spec's (300 s, either way).
SENDERS.zoom = {
  secret: 'vector-zoom-webhook-secret-token',
  async make() {
    const sign = (secret, t, raw) => 'v0=' + crypto.createHmac('sha256', secret).update(`v0:${t}:${raw}`).digest('hex');
    const event = JSON.stringify({ event: 'meeting.started', event_ts: NOW * 1000 + 123, payload: { account_id: 'vector', object: { id: '1234567890', topic: 'ünïcödé' } } });
    const validation = JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: NOW * 1000, event: 'endpoint.url_validation' });
    const headers = (signature, t = NOW) => ({ 'x-zm-signature': signature, 'x-zm-request-timestamp': String(t) });
    return {
      made_by: `@zoom/rivet ${version('@zoom/rivet')} (npm): AwsLambdaReceiver (signed as it computes)`,
      cases: [
        c('signed', headers(sign(this.secret, NOW, event)), event, 'accept'),
        c('url validation', headers(sign(this.secret, NOW, validation)), validation, 'accept'),
        c('tampered byte', headers(sign(this.secret, NOW, event)), event.replace('started', 'Started'), 'signature_invalid'),
        c('another key', headers(sign('vector-zoom-rotated-secret-token', NOW, event)), event, 'signature_invalid'),
        c('another time', headers(sign(this.secret, NOW, event), NOW + 1), event, 'signature_invalid'),
        { ...c('stale', headers(sign(this.secret, NOW - 301, event), NOW - 301), event, 'timestamp_out_of_tolerance') },
      ],
    };
  },
  async verifies(secret, kase) {
    const handler = new AwsLambdaReceiver({ webhooksSecretToken: secret }).start();
    const quiet = console.debug;
    console.debug = () => {};
    try {
      const response = await handler({ body: kase.body, headers: kase.headers, isBase64Encoded: false }, {});
      const t = Number(kase.headers['x-zm-request-timestamp']);
      const body = JSON.parse(response.body);
      // The url_validation answer is the token's HMAC under the secret token, as the receiver's.
      if (body.plainToken !== undefined) {
        const want = crypto.createHmac('sha256', secret).update(body.plainToken).digest('hex');
        if (body.encryptedToken !== want) return false;
      }
      return response.statusCode === 200 && Math.abs(kase.now - t) <= 300;
    } finally {
      console.debug = quiet;
    }
  },
};

const spec = SENDERS[sender];
const made = { sender, ...(await spec.make()), secret: spec.secret };
// Key order as the other vectors: sender, made_by, secret, cases.
const vector = { sender, made_by: made.made_by, secret: made.secret, cases: made.cases };
const file = path.join(root, 'tests', 'vectors', `${sender}.json`);
if (mode === 'write') {
  process.stdout.write(JSON.stringify(vector, null, 2) + '\n');
} else {
  const committed = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (JSON.stringify(committed) !== JSON.stringify(vector)) {
    console.log(`${sender}: tests/vectors/${sender}.json is not what ${vector.made_by} makes`);
  }
  for (const kase of committed.cases) {
    if ((await spec.verifies(committed.secret, kase)) !== (kase.verdict === 'accept')) {
      console.log(`${sender}: the library disagrees with case '${kase.name}'`);
    }
  }
}
