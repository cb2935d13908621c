// Shared pieces of the independent verifier: an OFFLINE document loader serving Jalon's vendored
// contexts (ob_schemas/contexts) plus controller documents built from the job itself, and helpers
// to read jobs from stdin. Nothing here touches the network: an unknown URL is an error.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const here = dirname(fileURLToPath(import.meta.url));
const contextsDir = join(here, '..', '..', 'ob_schemas', 'contexts');
const index = JSON.parse(readFileSync(join(contextsDir, 'index.json'), 'utf8'));
const contexts = new Map();
for(const [url, file] of Object.entries(index)) {
  contexts.set(url, JSON.parse(readFileSync(join(contextsDir, file), 'utf8')));
}

export const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
export const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';

// Controller document and verification method for one key, as the issuer would publish them.
export function keyDocuments({verificationMethod, controller, publicKeyMultibase}) {
  const method = {
    '@context': MULTIKEY_CONTEXT,
    id: verificationMethod,
    type: 'Multikey',
    controller,
    publicKeyMultibase
  };
  const controllerDoc = {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: controller,
    verificationMethod: [{...method, '@context': undefined}],
    assertionMethod: [verificationMethod]
  };
  delete controllerDoc.verificationMethod[0]['@context'];
  return {[verificationMethod]: method, [controller]: controllerDoc};
}

export function makeLoader(extra = {}) {
  return async url => {
    if(contexts.has(url)) {
      // 'static' lets jsonld.js keep the processed context between calls (as pyld here)
      return {contextUrl: null, documentUrl: url, document: contexts.get(url), tag: 'static'};
    }
    if(Object.prototype.hasOwnProperty.call(extra, url)) {
      return {contextUrl: null, documentUrl: url, document: extra[url]};
    }
    throw new Error(`offline document loader: unknown URL ${url}`);
  };
}

export async function keyPair({verificationMethod, controller, publicKeyMultibase,
  secretKeyMultibase}) {
  return Ed25519Multikey.from({
    '@context': MULTIKEY_CONTEXT,
    id: verificationMethod,
    type: 'Multikey',
    controller,
    publicKeyMultibase,
    secretKeyMultibase
  });
}

export function verifySuite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
}

export function signSuite(signer, created) {
  return new DataIntegrityProof({signer, date: created, cryptosuite: eddsaRdfc2022});
}

export async function readJobs() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  return Array.isArray(input) ? {jobs: input, single: false} : {jobs: [input], single: true};
}

export function writeResults(results, single) {
  process.stdout.write(JSON.stringify(single ? results[0] : results));
}

export function describe(error) {
  if(!error) {
    return null;
  }
  if(Array.isArray(error)) {
    return error.map(describe).join('; ');
  }
  const nested = error.errors ? ` (${describe(error.errors)})` : '';
  return `${error.name || 'Error'}: ${error.message}${nested}`;
}
