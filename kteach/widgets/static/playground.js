// The kteach Playground's drawing (an anywidget front end; a plain ES module, no build step).
//
// Python is the single source of truth: it sends `scene` (data points, feature tiles, menu
// choices), `frame` (weights, gradients, heatmaps, losses) and `animation` (one recorded
// training step), and this module only draws them. A click becomes one message to Python
// ({type: "action", name: "step"}, {type: "edit", ...}); the picture changes when Python
// answers with a new frame.

const ORANGE = [245, 147, 34], BLUE = [8, 119, 189], WHITE = [255, 255, 255];
const NODE = 36, GAP = 48, TOP = 64;

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function svg(tag, attrs = {}) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// Small icons drawn as SVG (a font may lack the media symbols).
const ICONS = { play: "M5,3 L15,9 L5,15 Z", pause: "M4,3 h4 v12 h-4 Z M10,3 h4 v12 h-4 Z",
  step: "M3,3 L11,9 L3,15 Z M12,3 h3 v12 h-3 Z", back: "M15,3 L7,9 L15,15 Z M3,3 h3 v12 h-3 Z" };
function icon(name) {
  const e = svg("svg", { width: 18, height: 18, viewBox: "0 0 18 18", "aria-hidden": "true" });
  e.append(svg("path", { d: ICONS[name], fill: "currentColor" }));
  return e;
}

function mix(a, b, t) { return a.map((v, i) => Math.round(v + (b[i] - v) * t)); }

// -1 … 1 on TensorFlow Playground's scale: orange, white, blue.
function diverging(t) {
  t = Math.max(-1, Math.min(1, t));
  return t < 0 ? mix(WHITE, ORANGE, -t) : mix(WHITE, BLUE, t);
}
function css(rgb) { return `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`; }
function hexRgb(hex) { return [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)); }
function bytes(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
function fmt(v, digits = 4) { return v === null || v === undefined ? "NaN" : v.toFixed(digits); }
function fmtGrad(v) {
  if (v === null || v === undefined) return "NaN";
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(5) : v.toExponential(3);
}

// A (res × res) grid of bytes (row 0 = lowest y) painted into a canvas, top row = highest y.
function paintGrid(canvas, data, res, colour) {
  if (canvas.width !== res) { canvas.width = res; canvas.height = res; }
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(res, res);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const rgb = colour(r * res + c), o = ((res - 1 - r) * res + c) * 4;
      img.data[o] = rgb[0]; img.data[o + 1] = rgb[1]; img.data[o + 2] = rgb[2]; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}
function paintHeatmap(canvas, b64) {
  const q = bytes(b64), res = Math.round(Math.sqrt(q.length));
  paintGrid(canvas, q, res, i => diverging(q[i] / 127.5 - 1));
}

function render({ model, el }) {
  const ui = {};                 // the elements, by name
  let scene = null, frame = null, anim = null, animAt = 0, animTimer = null;
  let hover = null;              // {kind: "neuron", col, j} while a neuron is hovered
  let editing = null, seq = 0, structure = "";
  const sent = new Map();        // message number -> time sent (for the click-to-picture time)
  let redraws = 0, pending = false;

  const root = h("div", { class: "kt-pg", "data-redraws": "0" });
  el.append(root);

  function send(message) {
    seq += 1;
    sent.set(seq, performance.now());
    model.send({ ...message, seq });
  }
  function control(name, element) { element.dataset.control = name; return element; }

  // ----- the top bar ---------------------------------------------------------------------
  function menu(key, onchange) {
    const select = h("select", { "data-key": key });
    select.addEventListener("change", () => onchange(select.value));
    return select;
  }
  ui.reset = control("reset", h("button", { class: "kt-round", title: "Reset the network",
    "aria-label": "Reset", onclick: () => send({ type: "action", name: "reset" }) }, "↺"));
  ui.play = control("play", h("button", { class: "kt-round kt-play", title: "Play / Pause",
    "aria-label": "Play", onclick: () => send({ type: "action",
      name: frame && frame.running ? "pause" : "play" }) }, icon("play")));
  ui.step = control("step", h("button", { class: "kt-round", title: "One epoch",
    "aria-label": "Step", onclick: () => send({ type: "action", name: "step" }) }, icon("step")));
  ui.epoch = h("span", { class: "kt-epoch" }, "0");
  ui.lr = menu("learning_rate", v => send({ type: "set", key: "learning_rate", value: Number(v) }));
  ui.act = menu("activation", v => send({ type: "set", key: "activations",
    value: frame.settings.hidden.map(() => v) }));
  ui.reg = menu("regularization", v => send({ type: "set", key: "regularization",
    value: v === "none" ? null : v }));
  ui.rate = menu("regularization_rate", v => send({ type: "set", key: "regularization_rate",
    value: Number(v) }));
  ui.problem = menu("problem", v => send({ type: "set", key: "problem", value: v }));
  ui.opt = menu("optimizer", v => send({ type: "set", key: "optimizer", value: v }));
  const field = (name, label, element) => control(name, h("label", {}, label, element));
  ui.explain = control("explain", h("button", { title: "Play one training step on the network",
    onclick: () => send({ type: "action", name: "explain" }) }, "Explain a step"));
  ui.share = control("share", h("button", { onclick: () => send({ type: "share" }) }, "Share"));
  ui.classroomButton = control("classroom", h("button", {
    onclick: () => { ui.classroomPanel.hidden = !ui.classroomPanel.hidden; } }, "Classroom"));
  root.append(h("div", { class: "kt-top" },
    h("div", { style: "display:flex;gap:8px;align-items:center" }, ui.reset, ui.play, ui.step),
    control("epoch", h("label", {}, "Epoch", ui.epoch)),
    field("learning_rate", "Learning rate", ui.lr), field("activation", "Activation", ui.act),
    field("regularization", "Regularization", ui.reg),
    field("regularization_rate", "Regularization rate", ui.rate),
    field("problem", "Problem type", ui.problem), field("optimizer", "Optimizer", ui.opt),
    h("div", { class: "kt-extra" }, ui.explain, ui.share, ui.classroomButton)));
  ui.message = h("div", { class: "kt-message" });
  root.append(ui.message);

  // ----- the step-through bar, the share and classroom panels --------------------------------
  ui.caption = h("span", { class: "kt-caption" });
  ui.animPrev = h("button", { title: "previous step", "aria-label": "previous step",
    onclick: () => showStep(animAt - 1, false) }, icon("back"));
  ui.animPause = h("button", { title: "pause / go on", "aria-label": "pause",
    onclick: () => (animTimer ? stopTimer() : startTimer()) }, icon("pause"));
  ui.animNext = h("button", { title: "next step", "aria-label": "next step",
    onclick: () => showStep(animAt + 1, false) }, icon("step"));
  ui.animClose = h("button", { onclick: closeAnimation }, "✕");
  ui.anim = h("div", { class: "kt-anim", hidden: "" }, ui.animPrev, ui.animPause, ui.animNext,
    ui.caption, ui.animClose);
  ui.shareText = h("textarea", { readonly: "", class: "kt-share-text" });
  ui.sharePanel = h("div", { class: "kt-panel", hidden: "" },
    h("div", {}, "The whole state: paste it into Playground.from_share(\"…\") in any notebook."),
    ui.shareText);
  ui.classroomPanel = h("div", { class: "kt-panel", hidden: "" });
  root.append(ui.anim, ui.sharePanel, ui.classroomPanel);

  // ----- the three columns: data | network | output ---------------------------------------
  ui.thumbs = control("dataset", h("div", { class: "kt-thumbs" }));
  function slider(name, label, min, max, step, toValue) {
    const input = h("input", { type: "range", min, max, step, "data-key": name });
    const shown = h("span");
    input.addEventListener("input", () => { shown.textContent = label(Number(input.value)); });
    input.addEventListener("change", () => send({ type: "set", key: name,
      value: toValue(Number(input.value)) }));
    const box = control(name, h("div", { class: "kt-slider" }, shown, input));
    box.update = v => { if (document.activeElement !== input) { input.value = v; } shown.textContent = label(Number(input.value)); };
    return box;
  }
  ui.sliders = {
    n_classes: slider("n_classes", v => `Classes: ${v}`, 2, 8, 1, v => v),
    train_ratio: slider("train_ratio", v => `Ratio of training to test data: ${Math.round(v * 100)}%`,
      0.1, 0.9, 0.1, v => Math.round(v * 10) / 10),
    noise: slider("noise", v => `Noise: ${Math.round(v * 100)}`, 0, 0.5, 0.05,
      v => Math.round(v * 20) / 20),
    batch_size: slider("batch_size", v => `Batch size: ${v}`, 1, 30, 1, v => v),
  };
  ui.sliders.n_classes.dataset.control = "classes";
  ui.regenerate = control("regenerate", h("button", {
    onclick: () => send({ type: "action", name: "regenerate" }) }, "Regenerate"));
  root.append(ui.main = h("div", { class: "kt-main" },
    h("div", { class: "kt-data" }, h("h4", {}, "Data"), ui.thumbs, ...Object.values(ui.sliders),
      ui.regenerate),
    ui.netcol = h("div", { class: "kt-netcol" }),
    ui.out = h("div", { class: "kt-out" })));

  ui.addLayer = h("button", { class: "kt-small", title: "one hidden layer more",
    onclick: () => send({ type: "layers", change: 1 }) }, "+");
  ui.removeLayer = h("button", { class: "kt-small", title: "one hidden layer fewer",
    onclick: () => send({ type: "layers", change: -1 }) }, "−");
  ui.layerCount = h("h4", { style: "margin:0 8px" });
  ui.netcol.append(control("layers", h("div", { class: "kt-layers-head" }, ui.addLayer,
    ui.removeLayer, ui.layerCount)), ui.net = h("div", { class: "kt-net" }));

  ui.losses = h("div", { class: "kt-losses" });
  ui.chart = svg("svg", { width: 280, height: 70, class: "kt-chart" });
  ui.surface = h("canvas", { class: "kt-surface" });
  ui.points = h("canvas", { class: "kt-points" });
  ui.big = h("div", { class: "kt-big" }, ui.surface, ui.points);
  ui.showing = h("div", { class: "kt-showing" });
  ui.legend = h("div", { class: "kt-legend" });
  const check = (name, label) => {
    const box = h("input", { type: "checkbox", "data-key": name });
    box.addEventListener("change", () => send({ type: "view", key: name, value: box.checked }));
    ui[name] = box;
    return control(name, h("label", {}, box, " " + label));
  };
  ui.out.append(h("h4", {}, "Output"), ui.losses, ui.chart, ui.big, ui.showing, ui.legend,
    h("div", { class: "kt-checks" }, check("show_test", "Show test data"),
      check("discretize", "Discretize output"), check("gradients", "Show gradients on the lines")));

  ui.card = h("div", { class: "kt-card", hidden: "" });
  root.append(ui.card);
  root.addEventListener("keydown", e => { if (e.key === "Escape") closeCard(true); });

  // ----- the network --------------------------------------------------------------------------
  function columnX(c, n) {
    const width = Math.max(420, ui.netcol.clientWidth || 520);
    return n === 1 ? 60 : 60 + c * (width - 130) / (n - 1);
  }
  function place(e, x, y) { e.style.left = `${x}px`; e.style.top = `${y}px`; return e; }

  // Made again only when the network's shape changes; a frame only recolours it.
  function build() {
    // a recorded step, a hovered neuron or an edit belong to the network as it was
    if (anim) { stopTimer(); anim = null; ui.anim.hidden = true; delete root.dataset.animIndex; }
    hover = null; editing = null; ui.card.hidden = true;
    const s = frame.settings, cols = frame.columns, n = cols.length;
    const features = scene.features;
    const tallest = Math.max(features.length, ...cols.slice(1).map(c => c.length));
    ui.net.replaceChildren();
    ui.net.style.height = `${TOP + tallest * GAP + 10}px`;
    ui.edges = svg("svg", { width: "100%", height: TOP + tallest * GAP + 10 });
    ui.net.append(ui.edges);
    ui.nodes = [];              // ui.nodes[c][j]: {box, canvas, bias, val, x, y}
    // column 0: every feature, chosen or not
    const inputs = [];
    features.forEach((f, i) => {
      const x = columnX(0, n), y = TOP + i * GAP;
      const canvas = h("canvas"), box = place(h("div", { class: "kt-node kt-feature" +
        (f.on ? "" : " kt-off"), "data-name": f.name, title: "" }, canvas), x, y);
      paintHeatmap(canvas, f.data);
      box.addEventListener("click", () => send({ type: "feature", name: f.name }));
      box.addEventListener("mouseenter", () => { hover = { feature: f }; showNeuronCard(0, -1, box, f); drawBig(); });
      box.addEventListener("mouseleave", () => { hover = null; leaveCard(); drawBig(); });
      ui.net.append(control("features", box),
        place(h("div", { class: "kt-flabel" }, f.label), x - 50, y + 10));
      if (f.on) inputs.push({ box, canvas, x, y, name: f.name });
    });
    ui.nodes.push(inputs);
    ui.net.append(place(h("div", { class: "kt-colhead" }, h("h4", {}, "Features")), columnX(0, n) - 30, 8));
    for (let c = 1; c < n; c++) {
      const x = columnX(c, n), column = [];
      cols[c].forEach((name, j) => {
        const y = TOP + j * GAP, canvas = h("canvas");
        const box = place(h("div", { class: "kt-node", "data-name": name }, canvas), x, y);
        const bias = place(h("div", { class: "kt-bias", "data-name": name }), x - 5, y + NODE - 5);
        const val = place(h("div", { class: "kt-val" }), x - 7, y + NODE + 1);
        box.addEventListener("mouseenter", () => { hover = { col: c, j }; showNeuronCard(c, j, box); drawBig(); });
        box.addEventListener("mouseleave", () => { hover = null; leaveCard(); drawBig(); });
        bias.addEventListener("mouseenter", () => showWeightCard("bias", c - 1, [j], bias));
        bias.addEventListener("mouseleave", leaveCard);
        bias.addEventListener("click", e => { e.stopPropagation(); startEdit("bias", c - 1, [j], bias); });
        ui.net.append(box, bias, val);
        column.push({ box, canvas, bias, val, x, y, name });
      });
      ui.nodes.push(column);
      const head = place(h("div", { class: "kt-colhead" }), x - 30, 0);
      if (c < n - 1) {
        const plus = h("button", { class: "kt-small", title: "one neuron more",
          onclick: () => send({ type: "neurons", layer: c - 1, change: 1 }) }, "+");
        const minus = h("button", { class: "kt-small", title: "one neuron fewer",
          onclick: () => send({ type: "neurons", layer: c - 1, change: -1 }) }, "−");
        plus.disabled = cols[c].length >= scene.choices.max_neurons;
        minus.disabled = cols[c].length <= 1;
        const act = h("select", { "data-layer": c - 1 });
        for (const a of scene.choices.activation) act.append(h("option", { value: a }, a));
        if (!scene.choices.activation.includes(s.activations[c - 1]))
          act.append(h("option", { value: s.activations[c - 1] }, s.activations[c - 1]));
        act.value = s.activations[c - 1];
        act.addEventListener("change", () => send({ type: "activation", layer: c - 1, value: act.value }));
        head.append(control("neurons", h("div", {}, plus, " ", minus)),
          h("div", { class: "kt-count" }, `${cols[c].length} neuron${cols[c].length > 1 ? "s" : ""}`),
          control("activation", act));
      } else {
        head.append(h("h4", { style: "margin-top:30px" }, "Output"));
      }
      ui.net.append(head);
    }
    // the lines: one visible path, one wider invisible one to hover and click, one for the gradient
    ui.lines = [];
    for (let l = 0; l < n - 1; l++) {
      const from = ui.nodes[l], to = ui.nodes[l + 1];
      from.forEach((a, i) => to.forEach((b, j) => {
        const x0 = a.x + NODE, y0 = a.y + NODE / 2, x1 = b.x, y1 = b.y + NODE / 2, mid = (x0 + x1) / 2;
        const d = `M${x0},${y0} C${mid},${y0} ${mid},${y1} ${x1},${y1}`;
        const line = svg("path", { d, class: "kt-edge" });
        const grad = svg("path", { d, class: "kt-grad" });
        const hit = svg("path", { d, class: "kt-hit", "data-layer": l, "data-i": i, "data-j": j });
        hit.addEventListener("mouseenter", e => showWeightCard("kernel", l, [i, j], null, e));
        hit.addEventListener("mouseleave", leaveCard);
        hit.addEventListener("click", e => startEdit("kernel", l, [i, j], null, e));
        ui.edges.append(line, grad, hit);
        ui.lines.push({ l, i, j, line, grad, hit });
      }));
    }
    const hidden = n - 2;
    ui.layerCount.textContent = `${hidden} hidden layer${hidden === 1 ? "" : "s"}`;
    ui.addLayer.disabled = hidden >= scene.choices.max_layers;
    ui.removeLayer.disabled = hidden <= 0;
  }

  // The weights to draw: the frame's, or, during the step-through, those after its updates.
  function kernels() {
    const k = frame.kernels.map(m => m), b = frame.biases.map(v => v);
    if (anim) {
      for (let i = 0; i <= animAt && i < anim.steps.length; i++) {
        const st = anim.steps[i];
        if (st.kind === "update") {
          if (st.weight === "kernel") k[st.layer] = st.new; else b[st.layer] = st.new;
        }
      }
    }
    return [k, b];
  }

  function drawNetwork() {
    const [K, B] = kernels();
    let biggest = 1e-9, biggestGrad = 1e-12;
    K.forEach(m => m.forEach(r => r.forEach(w => { if (w !== null) biggest = Math.max(biggest, Math.abs(w)); })));
    const step = anim ? anim.steps[animAt] : null;
    const gradOf = (l, i, j) => {
      if (step && step.kind === "backward" && step.layer === l) return step.dkernel[i][j];
      if (frame.view.gradients && !anim) return frame.kernel_grads[l][i][j];
      return null;
    };
    for (const e of ui.lines) {
      const g = gradOf(e.l, e.i, e.j);
      if (g !== null) biggestGrad = Math.max(biggestGrad, Math.abs(g));
    }
    for (const e of ui.lines) {
      const w = K[e.l][e.i][e.j];
      e.line.setAttribute("stroke", w === null ? "#d00" : w > 0 ? css(BLUE) : css(ORANGE));
      e.line.setAttribute("stroke-width", w === null ? 1 : (0.6 + 5.5 * Math.abs(w) / biggest).toFixed(2));
      e.line.setAttribute("stroke-opacity", "0.75");
      const g = gradOf(e.l, e.i, e.j);
      e.grad.style.display = g === null ? "none" : "";
      if (g !== null) {
        e.grad.setAttribute("stroke", g > 0 ? "#7a1fa2" : "#0a8a3a");
        e.grad.setAttribute("stroke-width", (0.8 + 5 * Math.abs(g) / biggestGrad).toFixed(2));
      }
    }
    let biggestBias = 1e-9;
    B.forEach(v => v.forEach(b => { if (b !== null) biggestBias = Math.max(biggestBias, Math.abs(b)); }));
    for (let c = 1; c < ui.nodes.length; c++) {
      ui.nodes[c].forEach((node, j) => {
        const pic = frame.neurons[c - 1][j];
        if (pic) paintHeatmap(node.canvas, pic.data);
        const b = B[c - 1][j];
        node.bias.style.background = b === null ? "#d00" : css(diverging(b / biggestBias));
      });
    }
    drawStepMarks(step);
  }

  function drawStepMarks(step) {
    for (const column of ui.nodes) for (const node of column) {
      node.box.classList.remove("kt-forward", "kt-loss", "kt-backward", "kt-update");
      if (node.val) node.val.textContent = "";
    }
    if (!step) return;
    const col = step.layer === null ? ui.nodes.length - 1 : step.layer + 1;
    const mark = step.kind === "update" ? "kt-update" : `kt-${step.kind}`;
    (ui.nodes[col] || []).forEach(node => node.box.classList.add(mark));
    if (step.values) (ui.nodes[col] || []).forEach((node, j) => {
      if (node.val) node.val.textContent = fmt(step.values[j], 3);
    });
    if (step.kind === "loss") {
      const last = ui.nodes[ui.nodes.length - 1][0];
      if (last && last.val) last.val.textContent = `L=${fmt(step.value, 3)}`;
    }
  }

  // ----- the output: surface, points, legend, chart -------------------------------------------
  function drawBig() {
    if (!frame || !scene) return;
    const pic = hover && (hover.feature || (frame.neurons[hover.col - 1] || [])[hover.j]);
    if (pic) {
      const name = hover.feature ? hover.feature.name : frame.columns[hover.col][hover.j];
      paintHeatmap(ui.surface, pic.data);
      ui.showing.textContent = `showing ${name} (${hover.feature ? "the feature" : "its output"} over the plane)`;
      ui.big.dataset.showing = name;
    } else {
      const sf = frame.surface, q = bytes(sf.data), k = sf.k, res = sf.resolution;
      if (k === 1) {
        paintGrid(ui.surface, q, res, i => diverging(q[i] / 127.5 - 1));
      } else {
        const palette = scene.colours.slice(0, k).map(hexRgb);
        const discrete = frame.view.discretize;
        paintGrid(ui.surface, q, res, i => {
          let best = 0, rgb = [0, 0, 0];
          const p = [];
          for (let c = 0; c < k; c++) { p.push(q[i * k + c] / 255); if (p[c] > p[best]) best = c; }
          if (discrete) p.forEach((_, c) => { p[c] = c === best ? 1 : 0; });
          for (let c = 0; c < k; c++) for (let d = 0; d < 3; d++) rgb[d] += p[c] * palette[c][d];
          const strength = (p[best] - 1 / k) / (1 - 1 / k);
          return rgb.map(v => Math.round(255 - (255 - v) * (0.15 + 0.45 * strength)));
        });
      }
      ui.showing.textContent = "";
      ui.big.dataset.showing = "output";
    }
  }

  function drawPoints() {
    const size = 280, ratio = window.devicePixelRatio || 1, canvas = ui.points;
    canvas.width = size * ratio; canvas.height = size * ratio;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const [x0, x1, y0, y1] = scene.extent, palette = scene.colours.map(hexRgb);
    const parts = [["train", "#fff"]];
    if (frame.view.show_test) parts.push(["test", "#000"]);
    for (const [part, rim] of parts) {
      const p = scene.points[part];
      p.x.forEach(([a, b], i) => {
        const px = (a - x0) / (x1 - x0) * size, py = (1 - (b - y0) / (y1 - y0)) * size;
        const y = p.y[i];
        ctx.beginPath();
        ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
        ctx.fillStyle = scene.problem === "regression" ? css(diverging(y / scene.value_range))
          : css(palette[Math.round(y)]);
        ctx.fill();
        ctx.lineWidth = part === "test" ? 0.9 : 1;
        ctx.strokeStyle = rim;
        ctx.stroke();
      });
    }
  }

  function drawLegend() {
    ui.legend.replaceChildren();
    if (scene.problem === "classification" && scene.n_classes > 2) {
      scene.colours.slice(0, scene.n_classes).forEach((c, i) => ui.legend.append(
        h("span", {}, h("span", { class: "kt-swatch", style: `background:${c}` }), `class ${i}`)));
      return;
    }
    const r = scene.value_range, bar = h("canvas", { class: "kt-bar", width: 150, height: 10 });
    const ctx = bar.getContext("2d");
    for (let x = 0; x < 150; x++) { ctx.fillStyle = css(diverging(x / 74.5 - 1)); ctx.fillRect(x, 0, 1, 10); }
    const label = scene.problem === "regression" ? "value" : "class 0 (−1) … class 1 (+1)";
    ui.legend.append(h("span", {}, `−${r}`), bar, h("span", {}, `${r}`),
      h("span", { style: "flex-basis:100%" }, `colours: ${label}; a neuron: its output, ±its largest |value|`));
    if (frame.view.gradients || anim) ui.legend.append(h("span", { style: "flex-basis:100%" },
      h("span", { class: "kt-swatch", style: "background:#7a1fa2" }), "gradient > 0  ",
      h("span", { class: "kt-swatch", style: "background:#0a8a3a" }), "gradient < 0 (dashed lines, width ∝ |gradient|)"));
  }

  function drawChart() {
    const W = 280, H = 70, hist = frame.history, n = Math.max(10, frame.epoch);
    const values = [...hist.train_loss, ...hist.test_loss].filter(v => v !== null);
    const top = values.length ? 1.15 * Math.max(...values) : 1;
    ui.chart.replaceChildren(svg("line", { x1: 0, y1: H - 0.5, x2: W, y2: H - 0.5, stroke: "#ccc" }));
    const curve = (vals, colour, dash) => {
      const pts = vals.map((v, i) => v === null ? null : [4 + hist.epochs[i] / n * (W - 8), H - 4 - v / top * (H - 8)])
        .filter(p => p).map(p => p.map(v => v.toFixed(1)).join(","));
      if (pts.length === 1) ui.chart.append(svg("circle", { cx: pts[0].split(",")[0], cy: pts[0].split(",")[1], r: 2.5, fill: colour }));
      else ui.chart.append(svg("polyline", { points: pts.join(" "), fill: "none", stroke: colour,
        "stroke-width": 1.6, "stroke-dasharray": dash }));
    };
    curve(hist.train_loss, "#777", "");
    curve(hist.test_loss, "#000", "4 2");
    const t = svg("text", { x: W - 2, y: H - 4, "text-anchor": "end", "font-size": 10, fill: "#999" });
    t.textContent = `epoch 0 … ${n}`;
    ui.chart.append(t);
    const last = frame.last;
    ui.losses.replaceChildren(
      h("div", {}, "Test loss ", h("b", { class: "kt-test-loss" }, fmt(last.test_loss, 3)),
        " (dashed)"),
      h("div", {}, "Training loss ", h("b", { class: "kt-train-loss" }, fmt(last.train_loss, 3))));
  }

  // ----- the controls show the settings ------------------------------------------------------
  function fill(select, options) {
    const key = JSON.stringify(options);
    if (select.dataset.options === key) return;
    select.dataset.options = key;
    select.replaceChildren(...options.map(([v, label]) => h("option", { value: v }, label)));
  }
  function setValue(select, v) { if (document.activeElement !== select) select.value = String(v); }
  function syncControls() {
    const s = frame.settings, ch = scene.choices;
    fill(ui.lr, ch.learning_rate.map(v => [String(v), String(v)]));
    fill(ui.rate, ch.regularization_rate.map(v => [String(v), String(v)]));
    fill(ui.act, ch.activation.map(v => [v, v]));
    fill(ui.reg, [["none", "None"], ["l1", "L1"], ["l2", "L2"]]);
    fill(ui.problem, ch.problem.map(v => [v, v[0].toUpperCase() + v.slice(1)]));
    fill(ui.opt, ch.optimizer);
    setValue(ui.lr, s.learning_rate); setValue(ui.rate, s.regularization_rate);
    setValue(ui.reg, s.regularization || "none"); setValue(ui.problem, s.problem);
    setValue(ui.opt, s.optimizer);
    if (new Set(s.activations).size === 1) setValue(ui.act, s.activations[0]);
    ui.act.disabled = s.activations.length === 0;
    ui.sliders.n_classes.update(s.n_classes);
    ui.sliders.train_ratio.update(s.train_ratio);
    ui.sliders.noise.update(s.noise);
    ui.sliders.batch_size.update(s.batch_size);
    ui.sliders.n_classes.querySelector("input").disabled = s.problem === "regression" || scene.custom;
    ui.sliders.noise.querySelector("input").disabled = scene.custom;
    ui.regenerate.disabled = scene.custom;
    for (const key of ["show_test", "discretize", "gradients"]) ui[key].checked = frame.view[key];
    const label = frame.running ? "Pause" : "Play";
    if (ui.play.getAttribute("aria-label") !== label) {   // only on a change: a click that
      ui.play.replaceChildren(icon(frame.running ? "pause" : "play"));   // lands while frames
      ui.play.setAttribute("aria-label", label);          // arrive must find the same button
    }
    ui.epoch.textContent = String(frame.epoch).padStart(6, "0").replace(/(\d{3})$/, ",$1");
    ui.message.textContent = frame.message;
  }

  function drawThumbs() {
    ui.thumbs.replaceChildren();
    const [x0, x1, y0, y1] = [-6, 6, -6, 6], palette = scene.colours.map(hexRgb);
    for (const d of scene.datasets) {
      const c = h("canvas", { class: "kt-thumb" + (d.name === frame.settings.dataset ? " kt-on" : ""),
        width: 100, height: 100, title: d.name, "data-name": d.name });
      const ctx = c.getContext("2d");
      d.x.forEach(([a, b], i) => {
        ctx.fillStyle = scene.problem === "regression" ? css(diverging(d.y[i])) : css(palette[d.y[i]]);
        ctx.fillRect((a - x0) / (x1 - x0) * 96, (1 - (b - y0) / (y1 - y0)) * 96, 5, 5);
      });
      c.addEventListener("click", () => send({ type: "set", key: "dataset", value: d.name }));
      ui.thumbs.append(c);
    }
  }

  function drawClassroomPanel() {
    const hidden = new Set(model.get("hidden"));
    const boxes = scene.controls.map(name => {
      const b = h("input", { type: "checkbox", "data-name": name });
      b.checked = hidden.has(name);
      return [name, b];
    });
    const apply = h("button", { onclick: () => send({ type: "classroom",
      hidden: boxes.filter(([, b]) => b.checked).map(([n]) => n) }) }, "Hide the ticked controls");
    ui.classroomPanel.replaceChildren(h("div", {}, "Classroom: tick the controls to hide, then " +
      "press the button (Share keeps the choice)."),
      ...boxes.map(([name, b]) => h("label", {}, b, " " + name)), h("div", {}, apply));
  }
  function applyHidden() {
    const hidden = new Set(model.get("hidden"));
    for (const e of root.querySelectorAll("[data-control]"))
      e.style.visibility = hidden.has(e.dataset.control) ? "hidden" : "";
    for (const e of root.querySelectorAll(".kt-top [data-control], .kt-data [data-control], .kt-checks [data-control]"))
      e.style.display = hidden.has(e.dataset.control) ? "none" : "";
    editable = !hidden.has("edit");
  }
  let editable = true;

  // ----- the hover card and editing -------------------------------------------------------------
  function placeCard(target, event) {
    const box = root.getBoundingClientRect();
    let x, y;
    if (event) { x = event.clientX - box.left + 12; y = event.clientY - box.top + 12; }
    else { const r = target.getBoundingClientRect(); x = r.right - box.left + 8; y = r.top - box.top; }
    ui.card.style.left = `${x}px`; ui.card.style.top = `${y}px`;
    ui.card.hidden = false;
  }
  function weightInfo(target, l, index) {
    const [K, B] = kernels();
    const cols = frame.columns;
    if (target === "kernel") {
      const [i, j] = index;
      return { name: `weight ${cols[l][i]} → ${cols[l + 1][j]}`, value: K[l][i][j],
        grad: frame.kernel_grads[l][i][j] };
    }
    return { name: `bias of ${cols[l + 1][index[0]]}`, value: B[l][index[0]],
      grad: frame.bias_grads[l][index[0]] };
  }
  function showWeightCard(target, l, index, element, event) {
    if (editing) return;
    const info = weightInfo(target, l, index);
    ui.card.dataset.kind = target;
    ui.card.dataset.value = String(info.value);
    ui.card.dataset.gradient = String(info.grad);
    ui.card.replaceChildren(
      h("div", {}, h("b", { class: "kt-what" }, info.name)),
      h("div", {}, "value ", h("span", { class: "kt-num kt-value" }, fmt(info.value))),
      h("div", {}, "gradient dL/d ", h("span", { class: "kt-num kt-gradient" }, fmtGrad(info.grad))),
      h("div", { class: "kt-hint" }, editable ? "click to edit" : ""));
    placeCard(element, event);
  }
  function showNeuronCard(c, j, element, feature) {
    if (editing) return;
    ui.card.dataset.kind = "neuron";
    delete ui.card.dataset.value; delete ui.card.dataset.gradient;
    if (c === 0) {
      ui.card.replaceChildren(h("div", {}, h("b", { class: "kt-what" }, `feature ${feature.label}`)),
        h("div", {}, feature.on ? "an input of the network" : "not used"),
        h("div", { class: "kt-hint" }, "click to switch it " + (feature.on ? "off" : "on")));
    } else {
      const [, B] = kernels(), pic = frame.neurons[c - 1][j];
      ui.card.dataset.value = String(B[c - 1][j]);
      ui.card.replaceChildren(h("div", {}, h("b", { class: "kt-what" }, `neuron ${frame.columns[c][j]}`)),
        h("div", {}, "bias ", h("span", { class: "kt-num kt-value" }, fmt(B[c - 1][j]))),
        h("div", {}, `output from −${fmt(pic.scale, 3)} to ${fmt(pic.scale, 3)} (orange to blue)`),
        h("div", { class: "kt-hint" }, "shown in the big panel"));
    }
    placeCard(element);
  }
  function leaveCard() { if (!editing) ui.card.hidden = true; }
  function closeCard(force) { if (force) editing = null; ui.card.hidden = true; }
  function startEdit(target, l, index, element, event) {
    if (!editable) return;
    editing = null;
    showWeightCard(target, l, index, element, event);
    editing = { target, l, index };
    const input = h("input", { type: "text", class: "kt-edit", value: fmt(weightInfo(target, l, index).value) });
    input.addEventListener("keydown", e => {
      if (e.key === "Enter") {
        send({ type: "edit", target, layer: l, index, value: input.value });
        editing = null; ui.card.hidden = true;
      } else if (e.key === "Escape") { closeCard(true); }
      e.stopPropagation();
    });
    ui.card.lastChild.replaceChildren("new value: ", input, " ⏎");
    input.focus(); input.select();
  }
  document.addEventListener("mousedown", onOutside, true);
  function onOutside(e) { if (editing && !ui.card.contains(e.target)) { editing = null; ui.card.hidden = true; } }

  // ----- the step-through animation -----------------------------------------------------------
  function showStep(i, keepTimer = true) {
    if (!anim) return;
    if (!keepTimer) stopTimer();
    animAt = Math.max(0, Math.min(anim.steps.length - 1, i));
    const st = anim.steps[animAt];
    ui.caption.replaceChildren(`step ${animAt + 1} of ${anim.steps.length}: `, h("b", {}, st.text),
      "  ", h("code", {}, st.formula));
    root.dataset.animIndex = String(animAt);
    ui.animPrev.disabled = animAt === 0;
    ui.animNext.disabled = animAt === anim.steps.length - 1;
    if (frame) drawNetwork();
    if (animAt === anim.steps.length - 1) stopTimer();
  }
  function startTimer() {
    stopTimer();
    if (anim && animAt === anim.steps.length - 1) animAt = -1;
    animTimer = setInterval(() => showStep(animAt + 1), 650);
    ui.animPause.replaceChildren(icon("pause"));
  }
  function stopTimer() { if (animTimer) clearInterval(animTimer); animTimer = null; ui.animPause.replaceChildren(icon("play")); }
  function closeAnimation() { stopTimer(); anim = null; ui.anim.hidden = true; delete root.dataset.animIndex; if (frame) drawNetwork(); }
  function onAnimation() {
    const a = model.get("animation");
    if (!a || !a.steps) return;
    anim = a; ui.anim.hidden = false;
    showStep(0); startTimer();
  }

  // ----- one redraw per animation frame, however many frames arrived ----------------------------
  function draw() {
    pending = false;
    scene = model.get("scene");
    frame = model.get("frame");
    // scene and frame come as two messages: draw only a pair that belongs together
    if (!scene || !frame || !frame.columns || frame.scene !== scene.number) return;
    const key = JSON.stringify([frame.columns, scene.features.map(f => f.on), scene.extent,
      frame.settings.activations, frame.settings.dataset]);
    if (key !== structure) { structure = key; build(); drawThumbs(); drawClassroomPanel(); applyHidden(); }
    syncControls();
    drawNetwork();
    drawBig();
    drawPoints();
    drawLegend();
    drawChart();
    redraws += 1;
    root.dataset.redraws = String(redraws);
    root.dataset.frame = String(frame.number);
    root.dataset.epoch = String(frame.epoch);
    const t = sent.get(frame.ack);
    if (t !== undefined) {
      root.dataset.latencyMs = (performance.now() - t).toFixed(1);
      for (const k of [...sent.keys()]) if (k <= frame.ack) sent.delete(k);
    }
  }
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(draw); } }

  model.on("change:frame", schedule);
  model.on("change:scene", () => { structure = ""; schedule(); });
  model.on("change:hidden", () => { drawClassroomPanel(); applyHidden(); });
  model.on("change:animation", onAnimation);
  model.on("msg:custom", msg => {
    if (msg.type === "share") {
      ui.shareText.value = msg.text;
      ui.sharePanel.hidden = false;
      ui.shareText.select();
    }
  });
  schedule();
  return () => { stopTimer(); document.removeEventListener("mousedown", onOutside, true); };
}

export default { render };
