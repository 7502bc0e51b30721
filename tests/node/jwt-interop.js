// Signs and verifies with Node's jsonwebtoken for ConvTokens' interop tests.
// Reads a JSON array of jobs from stdin, writes a JSON array of results to stdout:
//   {"sign": {...claims...}, "secret": "..."}      -> {"token": "..."}
//   {"verify": "<token>", "secret": "..."}         -> {"valid": true, "payload": {...}} or {"valid": false, "error": "..."}
// Secrets arrive on stdin only, never on the command line.
'use strict';
const jwt = require('jsonwebtoken');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const jobs = JSON.parse(input);
  const results = jobs.map((job) => {
    if (job.sign !== undefined) {
      return { token: jwt.sign(job.sign, job.secret) };
    }
    try {
      const payload = jwt.verify(job.verify, job.secret, { algorithms: ['HS256'], clockTimestamp: job.clockTimestamp });
      return { valid: true, payload };
    } catch (error) {
      return { valid: false, error: error.message };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
