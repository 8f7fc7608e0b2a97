// Preloaded into Azurite (node -r) by azurite-supervised.mjs. Azurite keeps each of its databases (tables, queue
// and blob metadata, extents) in LokiJS and saves it to disk every 5 s, a hard-coded autosaveInterval with no
// setting, so a SIGKILL loses up to 5 s of writes it had already acknowledged: cases opened and alerts sent, then
// gone after `./reviewwatch run --persist` brings it back. Here a dirty database is saved again as soon as the
// last save allows: 50 ms after it, or 10× its duration for a large database (so saving takes at most about a
// tenth of Azurite's time), and never later than Azurite's own 5 s. LokiJS writes a temporary file and renames it,
// so a kill mid-save leaves the previous save whole. Without persistence (in memory) LokiJS never autosaves and this
// changes nothing. Written here because neither Azurite nor LokiJS offers it; Azurite is pinned in package.json.
'use strict';
const path = require('node:path');
const azuriteDir = path.dirname(require.resolve('azurite/package.json'));
const Loki = require(require.resolve('lokijs', { paths: [azuriteDir] }));

const MIN_GAP_MS = 50;
const MAX_GAP_MS = 5000;

Loki.prototype.autosaveEnable = function autosaveEnable(options, callback) {
  this.autosave = true;
  const token = {};
  this.rwAutosaveToken = token;
  const db = this;
  const schedule = (ms) => { db.autosaveHandle = setTimeout(tick, ms); };
  function tick() {
    if (db.rwAutosaveToken !== token) return;
    if (!db.autosaveDirty() || db.ignoreAutosave) { schedule(MIN_GAP_MS); return; }
    const started = performance.now();
    db.saveDatabase((err) => {
      schedule(Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, 10 * (performance.now() - started))));
      if (typeof callback === 'function') callback(err);
    });
  }
  schedule(MIN_GAP_MS);
};

Loki.prototype.autosaveDisable = function autosaveDisable() {
  this.rwAutosaveToken = null;
  if (this.autosaveHandle) {
    clearTimeout(this.autosaveHandle);
    this.autosaveHandle = null;
  }
};
