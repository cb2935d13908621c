// Sign credentials with the Digital Bazaar stack (vc + data-integrity + eddsa-rdfc-2022).
// stdin: one job or an array of jobs
//   {credential, verificationMethod, controller, publicKeyMultibase, secretKeyMultibase, created}
// stdout: the signed credential (or an array), or {error} for a job that failed.
import * as vc from '@digitalbazaar/vc';

import {describe, keyDocuments, keyPair, makeLoader, readJobs, signSuite, writeResults}
  from './stack.mjs';

const {jobs, single} = await readJobs();
const results = [];
for(const job of jobs) {
  try {
    const key = await keyPair(job);
    const documentLoader = makeLoader(keyDocuments(job));
    results.push(await vc.issue({
      credential: structuredClone(job.credential),
      suite: signSuite(key.signer(), job.created),
      documentLoader
    }));
  } catch(error) {
    results.push({error: describe(error)});
  }
}
writeResults(results, single);
