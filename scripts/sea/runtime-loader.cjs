// Prepended to the CLI bundle. The CLI (command tree) is small and starts from a V8 snapshot; the
// heavy parts that handlers import lazily (Kubernetes client, gRPC, Ink, the agent, the lab) are
// ES modules in a second bundle, embedded as assets. On first use they are written once to a
// private per-user directory and imported from there, with Node's compile cache beside them.
const __netobsRuntime = (() => {
  let loaded;
  function privateDir(dir) {
    require('node:fs').mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = require('node:fs').lstatSync(dir);
    const uid = process.getuid ? process.getuid() : st.uid;
    // Windows has no mode bits (stat reports 0o666): there the user's own %TEMP% keeps others out.
    const open = process.platform !== 'win32' && (st.mode & 0o077) !== 0;
    if (!st.isDirectory() || st.uid !== uid || open) {
      throw new Error(`load runtime: ${dir} is not a private directory owned by this user (remove it and retry)`);
    }
  }
  function load() {
    const fs = require('node:fs');
    const path = require('node:path');
    const os = require('node:os');
    const sea = require('node:sea');
    if (!sea.isSea()) {
      const dir = path.join(__dirname, 'runtime');
      return { dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) };
    }
    const manifest = JSON.parse(Buffer.from(sea.getAsset('runtime/manifest.json')).toString('utf8'));
    const top = path.join(os.tmpdir(), `netobs-${process.getuid ? process.getuid() : 'user'}`);
    privateDir(top);
    const dir = path.join(top, `runtime-${manifest.id}`);
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
      // Write into a scratch directory and rename it, so a concurrent start never sees half a tree.
      const tmp = `${dir}.${process.pid}.tmp`;
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.mkdirSync(tmp, { mode: 0o700 });
      for (const f of manifest.files) fs.writeFileSync(path.join(tmp, f), Buffer.from(sea.getAsset(`runtime/${f}`)), { mode: 0o600 });
      fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest));
      try {
        fs.renameSync(tmp, dir);
      } catch (err) {
        fs.rmSync(tmp, { recursive: true, force: true });
        if (!fs.existsSync(path.join(dir, 'manifest.json'))) throw err;
      }
    }
    try {
      require('node:module').enableCompileCache(path.join(dir, '.compile-cache'));
    } catch {
      /* a cache is an optimisation only */
    }
    return { dir, manifest };
  }
  return (rel) => {
    loaded ??= load();
    const file = loaded.manifest.entries[rel];
    if (!file) return Promise.reject(new Error(`load runtime: ${rel} is not in this build`));
    const url = require('node:url').pathToFileURL(require('node:path').join(loaded.dir, file)).href;
    const vm = require('node:vm');
    // The main script of a single executable has no module loader of its own; a vm script that
    // borrows the main context's loader can import files. Node flags that option as experimental.
    const emit = process.emitWarning;
    process.emitWarning = (w, ...rest) => (String(w).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER') ? undefined : emit.call(process, w, ...rest));
    try {
      const script = new vm.Script(`import(${JSON.stringify(url)})`, { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
      return script.runInThisContext();
    } finally {
      process.emitWarning = emit;
    }
  };
})();
