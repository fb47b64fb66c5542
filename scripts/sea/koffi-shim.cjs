// Stands in for koffi's per-platform package inside the single executable: the native module is
// an embedded asset, so it is written once to a private cache directory and loaded with dlopen.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const sea = require('node:sea');

const data = Buffer.from(sea.getAsset('koffi.node'));
const digest = crypto.createHash('sha256').update(data).digest('hex').slice(0, 16);
// A per-user directory with mode 0700: another user cannot plant a library there.
const dir = path.join(os.tmpdir(), `netobs-${process.getuid ? process.getuid() : 'user'}`);
fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
const st = fs.lstatSync(dir);
// Windows has no mode bits (stat reports 0o666): there the user's own %TEMP% keeps others out.
if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid()) || (process.platform !== 'win32' && (st.mode & 0o077) !== 0)) {
  throw new Error(`load koffi: ${dir} is not a private directory owned by this user (remove it and retry)`);
}
const file = path.join(dir, `koffi-${digest}.node`);
if (!fs.existsSync(file)) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o500 });
  fs.renameSync(tmp, file);
}
const mod = { exports: {} };
process.dlopen(mod, file);
module.exports = mod.exports;
