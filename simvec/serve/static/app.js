// simvec web page: plain JavaScript, no library, no CDN; talks to the same server's JSON API.
"use strict";

const $ = (id) => document.getElementById(id);
const fmt = (x) => (x === null || x === undefined ? "—" : Number(x).toFixed(3));
const splitList = (s) => s.split(/[,;\n]/).map((x) => x.trim()).filter((x) => x.length > 0);

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["content-type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (e) { data = { error: `HTTP ${res.status}` }; }
  if (!res.ok) throw new Error((data && data.error) || `HTTP ${res.status}`);
  return data;
}

function showError(id, err) {
  const el = $(id);
  if (err) { el.textContent = err.message || String(err); el.hidden = false; }
  else { el.textContent = ""; el.hidden = true; }
}

function cell(tr, text, tag = "td") {
  const c = document.createElement(tag);
  c.textContent = text;
  tr.appendChild(c);
  return c;
}

function heatColor(v) {
  // white (cos <= 0) to blue (cos = 1)
  const t = Math.max(0, Math.min(1, v));
  const r = Math.round(255 - 212 * t), g = Math.round(255 - 147 * t), b = Math.round(255 - 79 * t);
  return `rgb(${r}, ${g}, ${b})`;
}

async function compare(ev) {
  ev.preventDefault();
  showError("compare-error", null);
  try {
    const d = await api("POST", "/similar", { a: splitList($("a").value), b: splitList($("b").value), heatmap: true });
    $("method").textContent = d.method;
    $("score").textContent = fmt(d.score);
    $("jaccard").textContent = fmt(d.jaccard);
    $("mean-cosine").textContent = fmt(d.mean_cosine);
    $("best-cosine").textContent = fmt(d.best_match_cosine);
    const notes = [];
    if (d.oov_a.length) notes.push(`not in vocabulary (A): ${d.oov_a.join(", ")}`);
    if (d.oov_b.length) notes.push(`not in vocabulary (B): ${d.oov_b.join(", ")}`);
    if (d.reason) notes.push(d.reason);
    $("oov").textContent = notes.join("; ");
    // the alignment behind the score: tokens (sif_best_match) or keywords (best_match)
    $("alignment-how").textContent = d.alignment_method
      ? `${d.alignment_method}, ${d.alignment_level} level: score = mean of the two sides' ` +
        `sums of weight × cosine = ${fmt(d.alignment_score)}` : "";
    const body = $("alignment").querySelector("tbody");
    body.replaceChildren();
    for (const side of ["a", "b"]) {
      for (const m of d.alignment[side] || []) {
        const tr = document.createElement("tr");
        const token = d.alignment_level === "token";
        cell(tr, side); cell(tr, m.keyword); cell(tr, token ? m.token : "");
        cell(tr, token ? `${m.partner_token} (${m.partner})` : m.partner);
        cell(tr, fmt(m.cosine)); cell(tr, m.weight == null ? "" : fmt(m.weight));
        body.appendChild(tr);
      }
    }
    const hm = $("heatmap");
    hm.replaceChildren();
    if (d.heatmap) {
      const head = document.createElement("tr");
      cell(head, "", "th");
      for (const c of d.heatmap.cols) cell(head, c, "th");
      hm.appendChild(head);
      d.heatmap.rows.forEach((r, i) => {
        const tr = document.createElement("tr");
        cell(tr, r, "th");
        d.heatmap.cosine[i].forEach((v) => { cell(tr, v.toFixed(2)).style.background = heatColor(v); });
        hm.appendChild(tr);
      });
    }
    $("compare-out").hidden = false;
  } catch (err) { showError("compare-error", err); }
}

async function neighbors(ev) {
  ev.preventDefault();
  showError("neighbors-error", null);
  const out = $("neighbors-out");
  out.replaceChildren();
  try {
    const q = new URLSearchParams({ word: $("word").value.trim(), topn: $("topn").value || "10" });
    const d = await api("GET", `/neighbors?${q}`);
    for (const w of Object.keys(d.neighbors)) {
      for (const n of d.neighbors[w]) {
        const li = document.createElement("li");
        li.textContent = `${n.word} (${fmt(n.cosine)})`;
        li.dataset.word = n.word;
        out.appendChild(li);
      }
    }
  } catch (err) { showError("neighbors-error", err); }
}

async function search(ev) {
  ev.preventDefault();
  showError("search-error", null);
  const body = $("search-out").querySelector("tbody");
  body.replaceChildren();
  try {
    const d = await api("POST", "/search", { queries: [splitList($("query").value)], k: 10 });
    for (const hit of d.results[0].neighbors) {
      const tr = document.createElement("tr");
      cell(tr, String(hit.rank)); cell(tr, hit.id); cell(tr, fmt(hit.score)); cell(tr, fmt(hit.jaccard));
      body.appendChild(tr);
    }
  } catch (err) { showError("search-error", err); }
}

async function drawMap(ev) {
  ev.preventDefault();
  showError("map-error", null);
  const svg = $("map-svg");
  svg.replaceChildren();
  try {
    const d = await api("POST", "/map", { words: splitList($("map-words").value), method: $("map-method").value });
    const W = 560, H = 380, pad = 40;
    const lo = (a) => Math.min(...a), hi = (a) => Math.max(...a);
    const sx = (x) => pad + ((x - lo(d.x)) / ((hi(d.x) - lo(d.x)) || 1)) * (W - 2 * pad);
    const sy = (y) => H - pad - ((y - lo(d.y)) / ((hi(d.y) - lo(d.y)) || 1)) * (H - 2 * pad);
    const ns = "http://www.w3.org/2000/svg";
    d.words.forEach((w, i) => {
      const c = document.createElementNS(ns, "circle");
      c.setAttribute("cx", sx(d.x[i])); c.setAttribute("cy", sy(d.y[i])); c.setAttribute("r", 4);
      const t = document.createElementNS(ns, "text");
      t.setAttribute("x", sx(d.x[i]) + 6); t.setAttribute("y", sy(d.y[i]) - 4);
      t.textContent = w;
      svg.appendChild(c); svg.appendChild(t);
    });
    if (d.oov.length) showError("map-error", new Error(`not in vocabulary: ${d.oov.join(", ")}`));
  } catch (err) { showError("map-error", err); }
}

async function init() {
  $("compare-form").addEventListener("submit", compare);
  $("neighbors-form").addEventListener("submit", neighbors);
  $("search-form").addEventListener("submit", search);
  $("map-form").addEventListener("submit", drawMap);
  try {
    const info = await api("GET", "/info");
    $("info").textContent = `${info.vectors}: ${info.count.toLocaleString()} words × ${info.vector_size} dimensions`;
    if (info.collection) {
      $("search-status").textContent = `${info.collection.name}: ${info.collection.documents} documents`;
    } else {
      $("search-status").textContent = "No collection is loaded (start the server with --collection FILE.jsonl).";
      $("search-go").disabled = true;
    }
    const sel = $("map-method");
    for (const m of info.map_methods) {
      if (![...sel.options].some((o) => o.value === m)) {
        const o = document.createElement("option");
        o.value = m; o.textContent = m.toUpperCase();
        sel.appendChild(o);
      }
    }
  } catch (err) { $("info").textContent = `server not reachable: ${err.message}`; }
  document.body.dataset.ready = "1";
}

document.addEventListener("DOMContentLoaded", init);
