// ShadowFleet dashboard: vanilla JS over the coordinator's JSON API; charts are inline SVG.
'use strict';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

function esc(v) {
  return String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function num(v, digits = 3) {
  return v === null || v === undefined ? '–' : Number(v).toFixed(digits);
}

function pct(v) {
  return v === null || v === undefined ? '–' : (100 * v).toFixed(1) + ' %';
}

async function api(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' } });
  if (!r.ok) {
    let msg = r.status + ' ' + r.statusText;
    try { msg = (await r.json()).message || msg; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return r.json();
}

function showError(where, e) {
  where.innerHTML = '<p class="error">' + esc(e.message) + '</p>';
}

function progressBar(p) {
  return '<span class="bar"><span style="width:' + Math.min(100, p.percent) + '%"></span></span> ' + num(p.percent, 1) + ' %';
}

// ---- sweeps list -------------------------------------------------------------------------------
let sweepsPage = 0;

async function loadSweeps() {
  const body = document.querySelector('#sweeps tbody');
  try {
    const page = await api('/api/sweeps?size=20&page=' + sweepsPage);
    const picked = new Set(Array.from(document.querySelectorAll('#sweeps .pick:checked')).map((c) => c.value));
    body.innerHTML = page.items.map((s) => '<tr>'
      + '<td><input type="checkbox" class="pick" value="' + esc(s.id) + '" title="compare"></td>'
      + '<td><a href="/sweep.html?id=' + encodeURIComponent(s.id) + '">' + esc(s.id) + '</a></td>'
      + '<td>' + esc(s.state) + '</td><td>' + esc(s.dataset) + '</td><td>' + esc(s.preset) + '</td>'
      + '<td>' + s.jobs + '</td><td>' + progressBar(s.progress) + '</td>'
      + '<td>' + s.progress.done + '</td><td>' + s.progress.skipped + '</td><td>' + s.progress.skippedLabel + '</td>'
      + '<td>' + s.progress.failed + '</td><td>' + s.progress.cancelled + '</td><td>' + s.progress.running + '</td>'
      + '<td>' + s.progress.queued + '</td>'
      + '<td>' + esc(new Date(s.createdAt).toLocaleString()) + '</td></tr>').join('')
      || '<tr><td colspan="15" class="muted">no sweeps yet</td></tr>';
    document.querySelectorAll('#sweeps .pick').forEach((c) => { c.checked = picked.has(c.value); }); // kept across refreshes
    $('pageinfo').textContent = 'page ' + (sweepsPage + 1) + ' of ' + Math.max(1, Math.ceil(page.total / 20));
    $('prev').disabled = sweepsPage === 0;
    $('next').disabled = (sweepsPage + 1) * 20 >= page.total;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    showError(body, e);
  }
}

function sweepsMain() {
  $('compare').onclick = () => {
    const ids = Array.from(document.querySelectorAll('#sweeps .pick:checked')).map((c) => c.value);
    if (ids.length >= 2) location.href = '/compare.html?sweeps=' + ids.map(encodeURIComponent).join(',');
  };
  $('prev').onclick = () => { sweepsPage = Math.max(0, sweepsPage - 1); loadSweeps(); };
  $('next').onclick = () => { sweepsPage++; loadSweeps(); };
  loadSweeps();
  setInterval(loadSweeps, 3000);
}

// ---- charts (SVG) ------------------------------------------------------------------------------
const SVG = 'http://www.w3.org/2000/svg';

function svgEl(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Grouped bars: labels[i] with one bar per series (values[s][i]), y from 0 to max. */
function barChart(container, labels, series, colors, yFormat) {
  const w = 760, h = 220, left = 44, bottom = 36, top = 10;
  const max = Math.max(1e-9, ...series.flat());
  const svg = svgEl('svg', { width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, role: 'img' });
  const plotW = w - left - 10, plotH = h - top - bottom;
  const groupW = plotW / labels.length;
  const barW = Math.max(1, (groupW - 4) / series.length);
  for (let t = 0; t <= 4; t++) {
    const y = top + plotH - (plotH * t) / 4;
    svg.appendChild(svgEl('line', { x1: left, x2: w - 10, y1: y, y2: y, stroke: '#e3e6ea' }));
    svg.appendChild(svgEl('text', { x: left - 4, y: y + 4, 'text-anchor': 'end' }, yFormat((max * t) / 4)));
  }
  labels.forEach((label, i) => {
    series.forEach((values, s) => {
      const v = values[i] || 0;
      const bh = (plotH * v) / max;
      const rect = svgEl('rect', { x: left + i * groupW + 2 + s * barW, y: top + plotH - bh, width: barW, height: bh, fill: colors[s] });
      rect.appendChild(svgEl('title', {}, label + ': ' + yFormat(v)));
      svg.appendChild(rect);
    });
    if (labels.length <= 20 || i % 2 === 0) {
      svg.appendChild(svgEl('text', { x: left + i * groupW + groupW / 2, y: h - bottom + 14, 'text-anchor': 'middle' }, label));
    }
  });
  container.replaceChildren(svg);
}

// ---- sweep page --------------------------------------------------------------------------------
const sweepId = params.get('id');
let summary = null;
const gallery = { page: 0, size: 24 };

function drawCharts() {
  const m = summary.models.find((x) => x.modelId === $('chart-model').value);
  if (!m) return;
  const edges = m.histogram.edges;
  const digits = edges[edges.length - 1] < 1 ? 3 : 2;
  const labels = edges.slice(0, -1).map((e) => Number(e).toFixed(digits));
  barChart($('histogram'), labels, [m.histogram.natural, m.histogram.attack], ['#8aa4c8', '#d9534f'], (v) => String(Math.round(v)));
  const classes = m.successByTarget.map((t) => String(t.target));
  barChart($('targets'), classes, [m.successByTarget.map((t) => t.rate)], ['#d9534f'], (v) => (100 * v).toFixed(0) + '%');
}

async function loadSummary() {
  summary = await api('/api/sweeps/' + encodeURIComponent(sweepId) + '/summary');
  const rs = summary.models.filter((m) => m.kind !== 'ibp');
  const ibp = summary.models.filter((m) => m.kind === 'ibp');
  document.querySelector('#table1 tbody').innerHTML = rs.map((m) => '<tr><td>' + esc(m.modelId) + '</td><td>' + num(m.sigma, 2)
    + '</td><td>' + m.images + '</td><td>' + m.abstainedImages + '</td><td>' + m.certifiedImages
    + '</td><td>' + num(m.table1.naturalRadiusMean) + ' ± ' + num(m.table1.naturalRadiusStddev)
    + '</td><td>' + num(m.table1.attackRadiusMean) + ' ± ' + num(m.table1.attackRadiusStddev)
    + '</td><td>' + pct(m.table1.successRate) + '</td></tr>').join('') || '<tr><td colspan="8" class="muted">no results yet</td></tr>';
  let t2 = ibp.map((m) => '<tr><td>' + esc(m.modelId) + '</td><td>' + num(m.epsilon, 4) + '</td><td>' + m.images
    + '</td><td>' + pct(m.table2.robustError) + '</td><td>' + pct(m.table2.attackError) + '</td></tr>').join('');
  if (summary.ibpFamily && summary.ibpFamily.models > 1) {
    const f = summary.ibpFamily;
    t2 += '<tr><td>min / mean / max (' + f.models + ' models)</td><td></td><td></td><td>'
      + [f.robustError.min, f.robustError.mean, f.robustError.max].map(pct).join(' / ') + '</td><td>'
      + [f.attackError.min, f.attackError.mean, f.attackError.max].map(pct).join(' / ') + '</td></tr>';
  }
  document.querySelector('#table2 tbody').innerHTML = t2 || '<tr><td colspan="5" class="muted">no IBP models in this sweep</td></tr>';
  const options = summary.models.map((m) => '<option value="' + esc(m.modelId) + '">' + esc(m.modelId) + '</option>').join('');
  for (const id of ['chart-model', 'g-model']) {
    const sel = $(id);
    const keep = sel.value;
    sel.innerHTML = options;
    if (keep) sel.value = keep;
  }
  drawCharts();
}

async function loadProgress() {
  try {
    const s = await api('/api/sweeps/' + encodeURIComponent(sweepId));
    $('title').textContent = 'Sweep ' + s.id + ' — ' + s.state;
    const p = s.progress;
    $('progress').innerHTML = progressBar(p) + ' <span class="muted">' + p.finished + ' of ' + s.jobs + ' jobs: ' + p.done + ' done, '
      + p.skipped + ' skipped (abstained), ' + p.skippedLabel + ' label targets (not attacked), ' + p.failed + ' failed, '
      + p.cancelled + ' cancelled, ' + p.running + ' running, ' + p.queued + ' queued'
      + (s.eta ? ', about ' + Math.round(s.eta.seconds) + ' s left' : '') + ' · ' + esc(s.dataset) + ' · preset ' + esc(s.preset) + '</span>';
    return s;
  } catch (e) {
    showError($('progress'), e);
    return null;
  }
}

function imageCell(url, has, label) {
  return has ? '<img alt="' + label + '" title="' + label + '" src="' + url + '">' : '<div class="noimg">' + label + '</div>';
}

async function loadGallery() {
  const model = $('g-model').value;
  if (!model) return;
  const q = new URLSearchParams({ model, page: gallery.page, size: gallery.size });
  for (const [k, id] of [['success', 'g-success'], ['label', 'g-label'], ['sort', 'g-sort']]) {
    if ($(id).value) q.set(k, $(id).value);
  }
  const box = $('gallery');
  try {
    const page = await api('/api/sweeps/' + encodeURIComponent(sweepId) + '/outcomes?' + q);
    const base = '/api/sweeps/' + encodeURIComponent(sweepId) + '/images/' + encodeURIComponent(model) + '/';
    box.innerHTML = page.items.map((o) => '<div class="card"><div class="imgs">'
      // the best result's own PNGs (?target=): they never change, so the browser caches them for good;
      // a skipped (abstained) image has the natural one only
      + imageCell(base + o.imageIndex + '/natural.png?target=' + o.target, o.hasImages, 'natural')
      + imageCell(base + o.imageIndex + '/perturbation.png?target=' + o.target, o.hasImages && o.status === 'DONE', 'perturbation')
      + imageCell(base + o.imageIndex + '/adversarial.png?target=' + o.target, o.hasImages && o.status === 'DONE', 'adversarial') + '</div>'
      + '<a href="/image.html?sweep=' + encodeURIComponent(sweepId) + '&model=' + encodeURIComponent(model) + '&index=' + o.imageIndex + '">image '
      + o.imageIndex + '</a> · label ' + o.label + ' → target ' + o.target + ' · '
      + (o.success ? '<span class="ok">spoofed</span>' : '<span class="fail">' + esc(o.status === 'DONE' ? 'not spoofed' : o.status) + '</span>')
      + '<br>natural r = ' + num(o.naturalRadius) + ' · attack r = ' + num(o.attackRadius) + ' (' + esc(o.attackMethod || '–') + ')</div>').join('')
      || '<p class="muted">no outcomes match</p>';
    $('g-page').textContent = 'page ' + (gallery.page + 1) + ' of ' + Math.max(1, Math.ceil(page.total / gallery.size)) + ' (' + page.total + ' images)';
    $('g-prev').disabled = gallery.page === 0;
    $('g-next').disabled = (gallery.page + 1) * gallery.size >= page.total;
  } catch (e) {
    showError(box, e);
  }
}

async function sweepMain() {
  $('csv').href = '/api/sweeps/' + encodeURIComponent(sweepId) + '/outcomes.csv';
  $('g-label').innerHTML += Array.from({ length: 10 }, (_, i) => '<option value="' + i + '">' + i + '</option>').join('');
  $('chart-model').onchange = drawCharts;
  for (const id of ['g-model', 'g-success', 'g-label', 'g-sort']) {
    $(id).onchange = () => { gallery.page = 0; loadGallery(); };
  }
  $('g-prev').onclick = () => { gallery.page = Math.max(0, gallery.page - 1); loadGallery(); };
  $('g-next').onclick = () => { gallery.page++; loadGallery(); };
  const s = await loadProgress();
  if (!s) return;
  try {
    await loadSummary();
    await loadGallery();
  } catch (e) {
    showError($('histogram'), e);
  }
  if (s.state === 'ACTIVE') {
    setInterval(async () => {
      const now = await loadProgress();
      if (now) await loadSummary().catch((e) => showError($('histogram'), e));
    }, 5000);
  }
}

// ---- image page --------------------------------------------------------------------------------
async function imageMain() {
  const sweep = params.get('sweep'), model = params.get('model'), index = params.get('index');
  $('back').href = '/sweep.html?id=' + encodeURIComponent(sweep);
  try {
    const d = await api('/api/sweeps/' + encodeURIComponent(sweep) + '/images/' + encodeURIComponent(model) + '/' + encodeURIComponent(index));
    $('title').textContent = 'Image ' + d.imageIndex + ' of ' + d.modelId + ' (sweep ' + d.sweepId + ')';
    const b = d.best;
    const n = d.natural;
    const img = (k) => d.images && d.images[k] ? '<img alt="' + k + '" title="' + k + '" src="data:image/png;base64,' + d.images[k] + '">' : '<div class="noimg">' + k + '</div>';
    $('best').innerHTML = '<div class="imgs">' + img('natural') + img('perturbation') + img('adversarial') + '</div>'
      + (b ? 'label ' + b.label + ' · natural certificate: ' + (n ? (n.label === -1 ? 'abstains' : 'class ' + n.label + ', r = ' + num(n.radius)
        + (n.certified ? '' : ' (not certified)')) : '–')
        + '<br>best outcome: target ' + b.target + ', ' + (b.success ? '<span class="ok">spoofed</span>' : '<span class="fail">not spoofed</span>')
        + ', attack label ' + (b.attackLabel ?? '–') + ', r = ' + num(b.attackRadius) + ' (' + esc(b.attackMethod || '–') + '), '
        + b.results + ' results' : '<span class="muted">no results yet</span>');
    document.querySelector('#targets tbody').innerHTML = d.targets.map((t) => '<tr><td>' + t.target + '</td><td>'
      + (t.state === 'SKIPPED_LABEL' ? 'true label (not attacked)' : esc(t.state))
      + (t.reason ? ' <span class="muted">' + esc(t.reason) + '</span>' : '') + '</td><td>'
      + (t.success === undefined ? '–' : t.success ? '<span class="ok">yes</span>' : 'no') + '</td><td>' + (t.attackLabel ?? '–')
      + '</td><td>' + (t.attackCertified ?? '–') + '</td><td>' + num(t.attackRadius) + '</td><td>' + esc(t.attackMethod || '–')
      + '</td><td>' + num(t.spoofLoss) + '</td><td>' + num(t.tv) + '</td><td>' + num(t.deltaL2) + '</td><td>' + num(t.deltaLinf) + '</td></tr>').join('');
  } catch (e) {
    showError($('best'), e);
  }
}

// ---- compare page ------------------------------------------------------------------------------
async function compareMain() {
  try {
    const c = await api('/api/compare?sweeps=' + encodeURIComponent(params.get('sweeps') || ''));
    document.querySelector('#sides tbody').innerHTML = c.sweeps.flatMap((s) => s.models.map((m) => '<tr><td><a href="/sweep.html?id='
      + encodeURIComponent(s.sweepId) + '">' + esc(s.sweepId) + '</a></td><td>' + esc(s.preset) + '</td><td>'
      + (s.channelMode === 'THREE_CHANNEL' ? '3' : s.channelMode === 'ONE_CHANNEL' ? '1' : '–') + '</td><td>' + esc(m.modelId)
      + '</td><td>' + m.images + '</td><td>' + m.certifiedImages + '</td><td>' + num(m.table1.naturalRadiusMean) + ' ± '
      + num(m.table1.naturalRadiusStddev) + '</td><td>' + num(m.table1.attackRadiusMean) + ' ± ' + num(m.table1.attackRadiusStddev)
      + '</td><td>' + pct(m.table1.successRate) + '</td><td>' + pct(m.table2.robustError) + ' / ' + pct(m.table2.attackError)
      + '</td></tr>')).join('') || '<tr><td colspan="10" class="muted">no results yet</td></tr>';
    document.querySelector('#paired tbody').innerHTML = c.paired.map((p) => '<tr><td>' + esc(p.modelId) + '</td><td>'
      + esc(p.sweepA) + ' → ' + esc(p.sweepB) + '</td><td>' + p.images + '</td><td>' + p.successA + '</td><td>' + p.successB
      + '</td><td>' + p.successBoth + '</td><td>' + num(p.attackRadiusMeanA) + '</td><td>' + num(p.attackRadiusMeanB)
      + '</td><td>' + num(p.attackRadiusMeanDiff) + '</td></tr>').join('')
      || '<tr><td colspan="9" class="muted">no model and dataset in common</td></tr>';
  } catch (e) {
    showError(document.querySelector('#sides tbody'), e);
  }
}

({ sweeps: sweepsMain, sweep: sweepMain, image: imageMain, compare: compareMain })[document.body.dataset.page]();
