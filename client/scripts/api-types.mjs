// The app's API types, generated from the OpenAPI document the server serves
// (a real wmory, started from bin/wmory): `node scripts/api-types.mjs` writes
// src/openapi.ts; with --check it fails when the committed file differs, so
// the app cannot drift from the server unnoticed (make test runs the check).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import openapiTS, { astToString } from 'openapi-typescript';

const require = createRequire(import.meta.url);
const { startWmory } = require('../e2e/wmory.cjs');
const out = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'src', 'openapi.ts');

const wmory = await startWmory();
let doc;
try {
  const res = await fetch(`${wmory.url}/api/openapi.json`);
  if (!res.ok) throw new Error(`GET /api/openapi.json: ${res.status}`);
  doc = await res.json();
} finally {
  await wmory.stop();
}
const header = '// Generated from the OpenAPI document wmory serves: do not edit. Run `npm run api-types` (client/) after changing the API.\n\n';
const generated = header + astToString(await openapiTS(doc, { alphabetize: true }));

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  if (committed !== generated) {
    console.error('client/src/openapi.ts differs from the API the server describes: run `npm run api-types` in client/ and commit the result.');
    process.exit(1);
  }
  console.log('client/src/openapi.ts matches the server.');
} else {
  fs.writeFileSync(out, generated);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
