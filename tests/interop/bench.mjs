// Time the Digital Bazaar stack on the same credentials as Jalon's benchmark.
// stdin: {cases: {name: credential}, verificationMethod, controller, publicKeyMultibase,
//         secretKeyMultibase, created, seconds}
// stdout: {name: {sign_ms, verify_ms, sign_cpu_ms, verify_cpu_ms, verified}}
import * as vc from '@digitalbazaar/vc';

import {describe, keyDocuments, keyPair, makeLoader, readJobs, signSuite, verifySuite}
  from './stack.mjs';

// Milliseconds per call by the clock and in CPU time (all the process's threads: on a busy
// machine the CPU time is the steadier figure).
async function timeIt(seconds, fn) {
  await fn(); // warm-up: contexts resolved and cached
  let runs = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  do {
    await fn();
    runs++;
    elapsed = process.hrtime.bigint() - start;
  } while(elapsed < budget || runs < 3);
  const cpu = process.cpuUsage(cpuStart);
  return [Number(elapsed) / 1e6 / runs, (cpu.user + cpu.system) / 1e3 / runs];
}

const {jobs: [job]} = await readJobs();
const key = await keyPair(job);
const documentLoader = makeLoader(keyDocuments(job));
const out = {};
for(const [name, credential] of Object.entries(job.cases)) {
  let signed;
  const [sign_ms, sign_cpu_ms] = await timeIt(job.seconds, async () => {
    signed = await vc.issue({
      credential: structuredClone(credential),
      suite: signSuite(key.signer(), job.created),
      documentLoader
    });
  });
  let verified = false;
  let error = null;
  const [verify_ms, verify_cpu_ms] = await timeIt(job.seconds, async () => {
    const result = await vc.verifyCredential({
      credential: signed, suite: verifySuite(), documentLoader,
      // the proof is what is timed: status lists are not fetched (offline)
      checkStatus: async () => ({verified: true})
    });
    verified = result.verified;
    error = describe(result.error);
  });
  out[name] = {
    sign_ms, verify_ms, sign_cpu_ms, verify_cpu_ms, verified, error,
    proofValue: signed.proof.proofValue
  };
}
process.stdout.write(JSON.stringify(out));
