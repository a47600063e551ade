// Shopify's test vector, made and checked by Shopify's own library (@shopify/shopify-api):
//   node shopify.cjs write   prints tests/vectors/shopify.json
//   node shopify.cjs check   prints one line per disagreement with the committed file (none: ok)
// Run by make.py, with NODE_PATH at .cache/vectors-node/node_modules.
'use strict';
require('@shopify/shopify-api/adapters/node');
const fs = require('fs');
const path = require('path');
const { shopifyApi, ApiVersion } = require('@shopify/shopify-api');
const { createSHA256HMAC } = require('@shopify/shopify-api/runtime');

const SECRET = 'vector-shopify-app-client-secret';
const OTHER = 'vector-shopify-rotated-client-secret';
const BODY = '{"id":820982911946154508,"email":"jon@example.com","tags":"ünïcödé"}';
const NOW = 1795867200;
const OUT = path.join(__dirname, '..', '..', 'tests', 'vectors', 'shopify.json');
// The package's `exports` hide its package.json from require(); its path is read instead.
const VERSION = JSON.parse(fs.readFileSync(
  path.join(path.dirname(require.resolve('@shopify/shopify-api')), '..', '..', '..', 'package.json'), 'utf8',
)).version;

function headers(hmac) {
  return {
    'x-shopify-hmac-sha256': hmac,
    'x-shopify-topic': 'customers/create',
    'x-shopify-shop-domain': 'example.myshopify.com',
    'x-shopify-api-version': '2025-01',
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
  };
}

async function vector() {
  const good = await createSHA256HMAC(SECRET, BODY, 'base64');
  const other = await createSHA256HMAC(OTHER, BODY, 'base64');
  const c = (name, h, body, verdict) => ({ name, headers: h, body, now: NOW, verdict });
  return {
    sender: 'shopify',
    made_by: `@shopify/shopify-api ${VERSION} (npm): createSHA256HMAC`,
    secret: SECRET,
    cases: [
      c('signed', headers(good), BODY, 'accept'),
      c('tampered byte', headers(good), BODY.replace('jon', 'Jon'), 'signature_invalid'),
      c('another key', headers(other), BODY, 'signature_invalid'),
    ],
  };
}

async function verifies(secret, kase) {
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
}

(async () => {
  const made = await vector();
  const text = JSON.stringify(made, null, 2) + '\n';
  if (process.argv[2] === 'write') {
    process.stdout.write(text);
    return;
  }
  const committed = JSON.parse(fs.readFileSync(OUT, 'utf8'));
  if (JSON.stringify(committed) !== JSON.stringify(made)) {
    console.log(`shopify: tests/vectors/shopify.json is not what ${made.made_by} makes`);
  }
  for (const kase of committed.cases) {
    if ((await verifies(committed.secret, kase)) !== (kase.verdict === 'accept')) {
      console.log(`shopify: the library disagrees with case '${kase.name}'`);
    }
  }
})().catch((e) => { console.log(`shopify: ${e}`); process.exitCode = 1; });
