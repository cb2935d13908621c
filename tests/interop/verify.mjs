// Verify credentials with the Digital Bazaar stack (vc + data-integrity + eddsa-rdfc-2022).
// stdin: one job or an array of jobs
//   {credential, verificationMethod, controller, publicKeyMultibase, skipStatus?}
// stdout: {verified: bool, error: string|null} (or an array of them).
import * as vc from '@digitalbazaar/vc';

import {describe, keyDocuments, makeLoader, readJobs, verifySuite, writeResults}
  from './stack.mjs';

const {jobs, single} = await readJobs();
const results = [];
for(const job of jobs) {
  try {
    const result = await vc.verifyCredential({
      credential: job.credential,
      suite: verifySuite(),
      documentLoader: makeLoader(keyDocuments(job)),
      // The proof is what is compared here; Jalon checks the status list itself.
      ...(job.skipStatus ? {checkStatus: async () => ({verified: true})} : {})
    });
    const errors = [result.error, ...(result.results || []).map(r => r.error)]
      .filter(Boolean);
    results.push({verified: result.verified === true, error: describe(errors[0])});
  } catch(error) {
    results.push({verified: false, error: describe(error)});
  }
}
writeResults(results, single);
