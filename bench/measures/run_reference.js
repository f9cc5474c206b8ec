// The reference engine side of bench/measures/side_by_side.sh: cql-execution 3.3.2 with
// cql-exec-fhir 2.2.0 on the measure's published ELM (bench/data/<measure>/*.json) and its
// value-set bundle (tests/data/valuesets). Reads batches of per-patient Bundles (JSON arrays),
// writes one line per patient: {"id": ..., "populations": {code: 0|1}}, then a summary line to
// stderr with the evaluation time.
//
// Usage: node run_reference.js ELM_DIR MAIN_LIBRARY VALUESET_BUNDLE BATCH_DIR OUT.jsonl
'use strict';
const fs = require('fs');
const path = require('path');
const cql = require('cql-execution');
const cqlfhir = require('cql-exec-fhir');

const [elmDir, mainName, vsBundle, batchDir, outPath] = process.argv.slice(2);

const libs = {};
for (const f of fs.readdirSync(elmDir)) {
  if (!f.endsWith('.json')) continue;
  const elm = JSON.parse(fs.readFileSync(path.join(elmDir, f), 'utf8'));
  libs[elm.library.identifier.id] = elm;
}
const repo = new cql.Repository(libs);
const lib = repo.resolve(mainName, libs[mainName].library.identifier.version);

const vs = {};
for (const e of JSON.parse(fs.readFileSync(vsBundle, 'utf8')).entry) {
  const r = e.resource;
  const codes = (r.expansion.contains || []).map(c => ({ code: c.code, system: c.system, version: c.version }));
  for (const key of [r.url, r.id]) {
    vs[key] = vs[key] || {};
    vs[key][r.version] = codes;
  }
}
const codeService = new cql.CodeService(vs);
const period = new cql.Interval(
  cql.DateTime.parse('2025-01-01T00:00:00.000Z'),
  cql.DateTime.parse('2025-12-31T23:59:59.999Z'),
  true,
  true
);
const executor = new cql.Executor(lib, codeService, { 'Measurement Period': period });

const POPS = [
  ['initial-population', 'Initial Population'],
  ['denominator', 'Denominator'],
  ['denominator-exclusion', 'Denominator Exclusions'],
  ['numerator', 'Numerator'],
  ['numerator-exclusion', 'Numerator Exclusion'],
  ['denominator-exception', 'Denominator Exception'],
];

function populations(r) {
  const has = name => Object.prototype.hasOwnProperty.call(r, name);
  const t = name => r[name] === true || (Array.isArray(r[name]) && r[name].length > 0);
  const ip = t('Initial Population');
  const den = ip && t('Denominator');
  const denex = den && has('Denominator Exclusions') && t('Denominator Exclusions');
  const numer = den && !denex && t('Numerator');
  const numex = numer && has('Numerator Exclusion') && t('Numerator Exclusion');
  const denexcep = den && !denex && !numer && has('Denominator Exception') && t('Denominator Exception');
  const all = { 'initial-population': ip, denominator: den, 'denominator-exclusion': denex,
    numerator: numer, 'numerator-exclusion': numex, 'denominator-exception': denexcep };
  const out = {};
  for (const [code, name] of POPS) if (has(name)) out[code] = all[code] ? 1 : 0;
  return out;
}

(async () => {
  const out = fs.createWriteStream(outPath);
  let patients = 0;
  let evalMs = 0;
  for (const f of fs.readdirSync(batchDir).sort()) {
    const bundles = JSON.parse(fs.readFileSync(path.join(batchDir, f), 'utf8'));
    const t0 = process.hrtime.bigint();
    const source = cqlfhir.PatientSource.FHIRv401({ requireProfileTagging: true });
    source.loadBundles(bundles);
    const results = await executor.exec(source);
    evalMs += Number(process.hrtime.bigint() - t0) / 1e6;
    for (const [id, r] of Object.entries(results.patientResults)) {
      out.write(JSON.stringify({ id, populations: populations(r) }) + '\n');
      patients++;
    }
  }
  await new Promise(res => out.end(res));
  process.stderr.write(JSON.stringify({ patients, eval_seconds: evalMs / 1000 }) + '\n');
})().catch(e => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
