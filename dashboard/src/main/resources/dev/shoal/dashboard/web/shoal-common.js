/*
 * What the dashboard and the report share: building the page's elements, formatting, and drawing
 * the charts (the timeline per worker, throughput and queue, the DAG). Plain JavaScript, no library.
 *
 * Every value from the task database (app names, errors, worker names, run ids, program lines) is
 * hostile input: it only ever reaches the page as a text node (textContent) or as an attribute set
 * by setAttribute on an attribute that cannot run code. Nothing here parses a string as markup.
 *
 * Times are microseconds since the epoch and durations microseconds, as the API sends them.
 */
(function () {
  'use strict';

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const STATES = ['pending', 'launched', 'queued', 'running', 'retrying', 'done', 'failed', 'dep_failed'];
  const STATE_SET = new Set(STATES);
  const STATE_LABELS = {
    pending: 'pending', launched: 'launched', queued: 'queued', running: 'running', retrying: 'retrying',
    done: 'done', failed: 'failed', dep_failed: 'dep. failed'
  };
  // For the canvas, which cannot use the stylesheet's classes; the same colours as shoal.css.
  const COLOURS = {
    pending: '#98a2b3', launched: '#b692f6', queued: '#7a5af8', running: '#2e90fa', retrying: '#f79009',
    done: '#32a852', failed: '#d92d20', dep_failed: '#f97066', unknown: '#475467'
  };
  // Attributes a caller may set from data: none of them can run code or load anything.
  const SAFE_ATTRIBUTES = new Set(['class', 'id', 'title', 'type', 'value', 'placeholder', 'colspan', 'role',
    'aria-label', 'for', 'name', 'disabled', 'selected', 'width', 'height', 'tabindex']);

  /** The class suffix of a state: only one of the known states, whatever the data says. */
  function stateClass(state) {
    return 'state-' + (STATE_SET.has(state) ? state : 'unknown');
  }

  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) {
        continue;
      }
      if (Array.isArray(child)) {
        append(node, child);
      } else if (child instanceof Node) {
        node.appendChild(child);
      } else {
        node.appendChild(document.createTextNode(String(child)));
      }
    }
    return node;
  }

  function setProps(node, props) {
    if (!props) {
      return;
    }
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) {
        continue;
      }
      if (key === 'dataset') {
        for (const [name, data] of Object.entries(value)) {
          node.dataset[name] = String(data);
        }
      } else if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.substring(2), value);
      } else if (key === 'href') {
        // Links stay inside the page: a fragment built by the caller, never a URL from the data.
        const fragment = String(value);
        if (fragment.startsWith('#')) {
          node.setAttribute('href', fragment);
        }
      } else if (SAFE_ATTRIBUTES.has(key)) {
        node.setAttribute(key, value === true ? '' : String(value));
      } else {
        throw new Error('attribute not allowed: ' + key);
      }
    }
  }

  /** An HTML element: h('td', {class: 'num'}, 'text', otherNode). Strings become text nodes. */
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    setProps(node, props);
    return append(node, children);
  }

  /** An SVG element; its attributes are geometry and classes this code computes, never data. */
  function s(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    if (attrs) {
      for (const [key, value] of Object.entries(attrs)) {
        if (value !== null && value !== undefined) {
          node.setAttribute(key, typeof value === 'number' ? String(round(value)) : String(value));
        }
      }
    }
    return append(node, children);
  }

  function round(value) {
    return Math.round(value * 100) / 100;
  }

  function replace(node, ...children) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
    return append(node, children);
  }

  // ---- Formatting -------------------------------------------------------------------------------

  function pad(value, width) {
    return String(value).padStart(width, '0');
  }

  function fmtClock(micros) {
    if (micros === null || micros === undefined) {
      return '';
    }
    const d = new Date(micros / 1000);
    return pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2) + '.'
      + pad(d.getMilliseconds(), 3);
  }

  function fmtDateTime(micros) {
    if (micros === null || micros === undefined) {
      return '';
    }
    const d = new Date(micros / 1000);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1, 2) + '-' + pad(d.getDate(), 2) + ' '
      + pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2);
  }

  function fmtDuration(micros) {
    if (micros === null || micros === undefined) {
      return '';
    }
    const abs = Math.abs(micros);
    const sign = micros < 0 ? '-' : '';
    if (abs === 0) {
      return '0 s';
    }
    if (abs < 1000) {
      return sign + Math.round(abs) + ' \u00b5s';
    }
    if (abs < 1e6) {
      return sign + trim(abs / 1000) + ' ms';
    }
    if (abs < 60e6) {
      return sign + trim(abs / 1e6) + ' s';
    }
    if (abs < 3600e6) {
      const minutes = Math.floor(abs / 60e6);
      return sign + minutes + ' min ' + Math.round((abs - minutes * 60e6) / 1e6) + ' s';
    }
    const hours = Math.floor(abs / 3600e6);
    return sign + hours + ' h ' + Math.round((abs - hours * 3600e6) / 60e6) + ' min';
  }

  /** Three significant digits at most, without trailing zeros: 2 s, 2.5 s, 1.66 ms, 254 ms. */
  function trim(value) {
    const text = value >= 100 ? String(Math.round(value)) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
    return text.indexOf('.') < 0 ? text : text.replace(/\.?0+$/, '');
  }

  /** "+1.25 s" from the run's start. */
  function fmtOffset(micros, origin) {
    if (micros === null || micros === undefined) {
      return '';
    }
    return '+' + fmtDuration(micros - origin);
  }

  function fmtRate(perSecond) {
    if (!perSecond) {
      return '0 /s';
    }
    return (perSecond >= 10 ? perSecond.toFixed(0) : perSecond >= 1 ? perSecond.toFixed(1) : perSecond.toFixed(3))
      + ' /s';
  }

  function fmtCount(value) {
    return (value || 0).toLocaleString('en-US');
  }

  function truncate(text, length) {
    const value = text === null || text === undefined ? '' : String(text);
    return value.length > length ? value.substring(0, length - 1) + '\u2026' : value;
  }

  /** A tick step of 1, 2 or 5 times a power of ten, near span / count. */
  function niceStep(span, count) {
    const raw = Math.max(span / Math.max(1, count), 1e-9);
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const fraction = raw / power;
    return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
  }

  function badge(state) {
    return h('span', {class: 'badge ' + stateClass(state)}, STATE_LABELS[state] || String(state));
  }

  function legend(states) {
    return h('div', {class: 'legend'}, states.map(state => h('span', null,
      h('span', {class: 'swatch ' + stateClass(state)}), STATE_LABELS[state] || state)));
  }

  // ---- Sections ---------------------------------------------------------------------------------

  function card(label, value, props) {
    return h('div', Object.assign({class: 'card'}, props || {}),
      h('div', {class: 'label'}, label), h('div', {class: 'value'}, value));
  }

  /** Counts by state, duration, rate; elements carry data-count attributes a test can read. */
  function summaryView(summary) {
    const run = summary.run;
    const states = summary.states || {};
    const failures = (states.failed || 0) + (states.dep_failed || 0);
    const status = h('span', {
      id: 'run-status',
      class: summary.running ? 'status-running' : 'status-ended' + (failures > 0 ? ' with-failures' : '')
    }, summary.running ? 'running' : 'ended');
    const cards = h('div', {class: 'cards'},
      card('status', status),
      card('tasks', h('span', {dataset: {count: 'tasks'}}, fmtCount(summary.tasks))),
      STATES.filter(state => states[state] || ['done', 'failed', 'dep_failed'].includes(state)).map(state =>
        card(STATE_LABELS[state], h('span', {dataset: {stateCount: state}}, fmtCount(states[state] || 0)))),
      card('elapsed', fmtDuration(summary.elapsed)),
      card('finished', fmtRate(summary.finishedPerSecond)));
    const total = Math.max(1, summary.tasks);
    const bar = h('div', {class: 'statebar', title: 'tasks by state'});
    for (const state of STATES) {
      if (states[state]) {
        const part = h('span', {class: stateClass(state), title: (STATE_LABELS[state]) + ': ' + states[state]});
        part.style.width = (100 * states[state] / total) + '%';
        bar.appendChild(part);
      }
    }
    const meta = h('div', {class: 'muted'},
      'started ', fmtDateTime(run.started),
      run.ended ? [' \u00b7 ended ', fmtDateTime(run.ended)] : ' \u00b7 still running',
      run.executors && run.executors.length ? [' \u00b7 executors: ', run.executors.join(', ')] : null,
      run.program ? [' \u00b7 program: ', h('code', null, run.program)] : null);
    return h('div', null, cards, bar, legend(STATES.filter(state => states[state])), meta);
  }

  /**
   * A table: columns are {title, cell(row) -> node or text, num?}; options.onRow(row) makes rows
   * clickable, options.rowData(row) gives their data-* attributes.
   */
  function table(columns, rows, options) {
    const opts = options || {};
    const head = h('thead', null, h('tr', null, columns.map(c => h('th', {class: c.num ? 'num' : null}, c.title))));
    const body = h('tbody');
    for (const row of rows) {
      const tr = h('tr', {
        class: opts.onRow ? 'clickable' + (opts.selected && opts.selected(row) ? ' selected' : '') : null,
        dataset: opts.rowData ? opts.rowData(row) : null,
        onclick: opts.onRow ? () => opts.onRow(row) : null
      });
      for (const c of columns) {
        const value = c.cell(row);
        tr.appendChild(h('td', {class: c.className || (c.num ? 'num' : null), title: c.tip ? c.tip(row) : null},
          value === null || value === undefined ? '' : value));
      }
      body.appendChild(tr);
    }
    return h('div', {class: 'table-wrap'}, h('table', {class: opts.className || null, id: opts.id || null}, head, body));
  }

  function appsView(apps) {
    if (!apps.length) {
      return h('div', {class: 'empty'}, 'no tasks yet');
    }
    return table([
      {title: 'app', cell: a => h('code', null, a.app)},
      {title: 'tasks', num: true, cell: a => fmtCount(a.tasks)},
      {title: 'done', num: true, cell: a => fmtCount(a.done)},
      {title: 'failed', num: true, cell: a => fmtCount(a.failed)},
      {title: 'dep. failed', num: true, cell: a => fmtCount(a.dependencyFailed)},
      {title: 'reused', num: true, cell: a => fmtCount(a.reused)},
      {title: 'mean run', num: true, cell: a => fmtDuration(a.meanRunTime)},
      {title: 'median run', num: true, cell: a => fmtDuration(a.medianRunTime)},
      {title: 'max run', num: true, cell: a => fmtDuration(a.maxRunTime)}
    ], apps, {id: 'apps-table'});
  }

  function workersView(workers, origin) {
    if (!workers.length) {
      return h('div', {class: 'empty'}, 'no workers recorded yet');
    }
    return table([
      {title: 'worker', cell: w => h('code', null, w.worker)},
      {title: 'executor', cell: w => w.executor},
      {title: 'started', cell: w => w.started ? fmtOffset(w.started, origin) : '', tip: w => fmtDateTime(w.started)},
      {title: 'ended', cell: w => w.ended ? fmtOffset(w.ended, origin) : '', tip: w => fmtDateTime(w.ended)},
      {title: 'as started', cell: w => w.startDetail},
      {title: 'as ended', cell: w => w.endDetail},
      {title: 'first task', cell: w => fmtOffset(w.firstTask, origin)},
      {title: 'last task', cell: w => fmtOffset(w.lastTask, origin)},
      {title: 'tasks run', num: true, cell: w => fmtCount(w.tasksRun)}
    ], workers, {id: 'workers-table'});
  }

  function scalingView(scaling, origin) {
    if (!scaling.length) {
      return h('div', {class: 'empty'}, 'no scaling decisions (a fixed pool, or none recorded yet)');
    }
    return h('ol', {class: 'decisions', id: 'scaling-list'}, scaling.map(d => h('li', null,
      h('span', {class: 'muted'}, fmtOffset(d.at, origin), ' '),
      h('span', {class: 'action action-' + (d.action === 'scale out' ? 'scale-out'
        : d.action === 'scale in' ? 'scale-in' : 'hold')}, d.action), ' ',
      d.fromWorkers, ' \u2192 ', d.desiredWorkers, ' workers',
      d.launched ? [', launched ', d.launched] : null,
      ', ', fmtCount(d.queuedMessages), ' queued messages',
      d.executor ? [' (', d.executor, ')'] : null,
      h('div', {class: 'muted'}, d.reason))));
  }

  /** The failed tasks with their errors in full. */
  function failuresView(page, onTask) {
    if (!page.tasks.length) {
      return h('div', {class: 'empty'}, 'no task failed');
    }
    return h('div', null,
      page.total > page.tasks.length
        ? h('div', {class: 'muted'}, 'the first ', page.tasks.length, ' of ', fmtCount(page.total), ' failed tasks')
        : null,
      table([
        {title: 'task', num: true, cell: t => String(t.taskId)},
        {title: 'app', cell: t => h('code', null, t.app)},
        {title: 'attempts', num: true, cell: t => t.attempts},
        {title: 'worker', cell: t => t.worker},
        {title: 'error', className: 'wrap', cell: t => h('pre', {class: 'error'}, t.error || '')}
      ], page.tasks, {id: 'failures-table', onRow: onTask ? t => onTask(t.taskId) : null,
        rowData: t => ({taskId: t.taskId})}));
  }

  // ---- The timeline per worker (Gantt) ----------------------------------------------------------

  /** Bars up to which the timeline is SVG (one element per bar); a canvas beyond. */
  const SVG_BARS = 2000;

  /** Ticks from {@code from} to {@code end}, at round offsets from the run's start. */
  function ticks(origin, from, end, pixels) {
    const step = niceStep(Math.max(1, end - from), Math.max(2, Math.floor(pixels / 110)));
    const out = [];
    for (let t = Math.ceil((from - origin) / step) * step; origin + t <= end + 1; t += step) {
      out.push(t);
    }
    return out;
  }

  function timeAxis(left, right, origin, from, end, height) {
    const span = Math.max(1, end - from);
    const group = s('g', {class: 'axis'});
    for (const t of ticks(origin, from, end, right - left)) {
      const x = left + (right - left) * (origin + t - from) / span;
      group.appendChild(s('line', {x1: x, x2: x, y1: 14, y2: height}));
      group.appendChild(s('text', {x: x + 2, y: 11}, '+' + fmtDuration(t)));
    }
    return group;
  }

  function ganttView(timeline, options) {
    const opts = options || {};
    const width = Math.max(480, opts.width || 1000);
    const rows = timeline.rows;
    if (!rows.length) {
      return h('div', {class: 'empty'}, 'no task has started yet');
    }
    const label = Math.min(190, Math.max(90, width * 0.15));
    const lanes = rows.reduce((n, row) => n + row.lanes, 0);
    // A lane per task a worker ran at once; squeezed when there are many, to stay about a screen high.
    const laneHeight = lanes > 40 ? Math.max(3, Math.floor(640 / lanes)) : 16;
    const gap = lanes > 40 ? 1 : 6;
    const top = 18;
    const rowTop = [];
    let bottom = top;
    for (const row of rows) {
      rowTop.push(bottom);
      bottom += row.lanes * laneHeight + gap;
    }
    const height = bottom + 2;
    const left = label;
    const right = width - 8;
    const origin = timeline.origin;
    const from = timeline.from;
    const span = Math.max(1, timeline.end - from);
    const x = t => left + (right - left) * (t - from) / span;
    const barHeight = Math.max(1, laneHeight - 3);
    const barY = bar => rowTop[bar.row] + bar.lane * laneHeight + (laneHeight - barHeight) / 2;
    const labelY = i => rowTop[i] + rows[i].lanes * laneHeight / 2 + 4;
    const states = STATES.filter(state => timeline.bars.some(bar => bar.state === state));
    const note = timeline.aggregate
      ? h('div', {class: 'chart-note'}, fmtCount(timeline.started), ' tasks: too many to draw one by one; ',
        'each cell shows how many ran on that worker then (darker is more, red when some failed)')
      : h('div', {class: 'chart-note'}, fmtCount(timeline.started), ' tasks on ', rows.length,
        rows.length === 1 ? ' worker' : ' workers', ', a lane for each task a worker ran at once, from the first start (',
        fmtOffset(from, origin), ' into the run); click a bar for its task');
    if (!timeline.aggregate && timeline.bars.length <= SVG_BARS) {
      const svgNode = s('svg', {id: 'gantt-svg', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height},
        timeAxis(left, right, origin, from, timeline.end, height));
      rows.forEach((row, i) => {
        if (i > 0) {
          svgNode.appendChild(s('line', {class: 'row-rule', x1: 0, x2: width, y1: rowTop[i] - gap / 2,
            y2: rowTop[i] - gap / 2}));
        }
        svgNode.appendChild(s('text', {class: 'row-label', x: 4, y: labelY(i)},
          truncate(row.worker, Math.floor(label / 6.5)), s('title', null, row.worker)));
      });
      for (const bar of timeline.bars) {
        const x0 = x(bar.start);
        svgNode.appendChild(s('rect', {
          class: 'bar ' + stateClass(bar.state), x: x0, y: barY(bar), width: Math.max(1.5, x(bar.end) - x0),
          height: barHeight, rx: barHeight > 6 ? 2 : 0, 'data-task-id': bar.taskId
        }, s('title', null, '#' + bar.taskId + ' ' + bar.app + ' \u00b7 ' + (STATE_LABELS[bar.state] || bar.state)
          + ' \u00b7 ' + fmtDuration(bar.end - bar.start) + (bar.open ? ' so far' : '')
          + ' \u00b7 ' + rows[bar.row].worker)));
      }
      if (opts.onTask) {
        svgNode.addEventListener('click', event => {
          const target = event.target.closest('rect.bar');
          if (target) {
            opts.onTask(Number(target.getAttribute('data-task-id')));
          }
        });
      }
      return h('div', null, svgNode, legend(states), note);
    }
    // A canvas: thousands of bars, or the aggregate of many more.
    const canvas = h('canvas', {id: 'gantt-canvas'});
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    const g = canvas.getContext('2d');
    g.scale(ratio, ratio);
    g.font = '11px system-ui, sans-serif';
    g.strokeStyle = '#e3e6eb';
    g.fillStyle = '#667085';
    for (const t of ticks(origin, from, timeline.end, right - left)) {
      const px = x(origin + t);
      g.beginPath();
      g.moveTo(px + 0.5, 14);
      g.lineTo(px + 0.5, height);
      g.stroke();
      g.fillText('+' + fmtDuration(t), px + 2, 11);
    }
    g.fillStyle = '#344054';
    rows.forEach((row, i) => {
      if (row.lanes * laneHeight >= 9) {
        g.fillText(truncate(row.worker, Math.floor(label / 6.5)), 4, labelY(i));
      }
    });
    if (timeline.aggregate) {
      const agg = timeline.aggregate;
      const columnWidth = (right - left) * agg.columnWidth / span;
      for (const cell of agg.cells) {
        const alpha = 0.15 + 0.85 * cell.tasks / Math.max(1, agg.maxTasks);
        g.fillStyle = cell.failed > 0 ? 'rgba(217,45,32,' + alpha + ')' : 'rgba(46,144,250,' + alpha + ')';
        g.fillRect(left + cell.column * columnWidth, rowTop[cell.row] + 1, Math.max(1, columnWidth), barHeight);
      }
    } else {
      for (const bar of timeline.bars) {
        g.fillStyle = COLOURS[bar.state] || COLOURS.unknown;
        const x0 = x(bar.start);
        g.fillRect(x0, barY(bar), Math.max(1, x(bar.end) - x0), barHeight);
      }
      if (opts.onTask) {
        canvas.addEventListener('click', event => {
          const box = canvas.getBoundingClientRect();
          const px = event.clientX - box.left;
          const py = event.clientY - box.top;
          const row = rowTop.findIndex((y, i) => py >= y && py < y + rows[i].lanes * laneHeight);
          if (row < 0) {
            return;
          }
          const lane = Math.floor((py - rowTop[row]) / laneHeight);
          let best = null;
          let distance = Infinity;
          for (const bar of timeline.bars) {
            if (bar.row !== row || bar.lane !== lane) {
              continue;
            }
            const x0 = x(bar.start);
            const x1 = Math.max(x0 + 1, x(bar.end));
            const d = px < x0 ? x0 - px : px > x1 ? px - x1 : 0;
            if (d < distance) {
              distance = d;
              best = bar;
            }
          }
          if (best && distance < 4) {
            opts.onTask(best.taskId);
          }
        });
      }
    }
    return h('div', null, canvas, timeline.aggregate ? null : legend(states), note);
  }

  // ---- Throughput and queue over time -----------------------------------------------------------

  function activityView(activity, options) {
    const opts = options || {};
    const points = activity.points;
    const width = Math.max(360, opts.width || 600);
    if (!points.length) {
      return h('div', {class: 'empty'}, 'nothing yet');
    }
    const left = 42;
    const right = width - 10;
    const panel = 110;
    const gap = 34;
    const top = 16;
    const height = top + panel * 2 + gap + 20;
    const n = points.length;
    const slot = (right - left) / n;
    const xAt = i => left + slot * i;
    const maxThroughput = Math.max(1, ...points.map(p => Math.max(p.finished, p.started)));
    const maxLoad = Math.max(1, ...points.map(p => Math.max(p.waiting, p.running)));
    const svgNode = s('svg', {id: 'activity-svg', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height});

    function yAxis(y0, max, title) {
      const group = s('g', {class: 'axis'});
      const step = niceStep(max, 3);
      for (let v = 0; v <= max + 1e-9; v += step) {
        const y = y0 + panel - panel * v / max;
        group.appendChild(s('line', {x1: left, x2: right, y1: y, y2: y}));
        group.appendChild(s('text', {x: left - 4, y: y + 4, 'text-anchor': 'end'}, String(round(v))));
      }
      group.appendChild(s('text', {x: left, y: y0 - 4}, title));
      return group;
    }

    // Upper panel: tasks finished per interval (failed on top), and tasks started as a line.
    const upper = top;
    svgNode.appendChild(yAxis(upper, maxThroughput, 'tasks finished (bars; red: failed) and started (dashes) per '
      + fmtDuration(activity.bucket)));
    const barWidth = Math.max(1, slot * 0.8);
    points.forEach((p, i) => {
      const ok = p.finished - p.failed;
      const hOk = panel * ok / maxThroughput;
      const hFailed = panel * p.failed / maxThroughput;
      const tip = '+' + fmtDuration(p.from - activity.origin) + ': ' + p.started + ' started, ' + p.finished
        + ' finished, ' + p.failed + ' failed';
      if (ok > 0) {
        svgNode.appendChild(s('rect', {class: 'bar-done', x: xAt(i) + slot * 0.1, y: upper + panel - hOk,
          width: barWidth, height: hOk}, s('title', null, tip)));
      }
      if (p.failed > 0) {
        svgNode.appendChild(s('rect', {class: 'bar-failed', x: xAt(i) + slot * 0.1, y: upper + panel - hOk - hFailed,
          width: barWidth, height: hFailed}, s('title', null, tip)));
      }
    });
    svgNode.appendChild(s('polyline', {class: 'line-started', points: points.map((p, i) =>
      round(xAt(i) + slot / 2) + ',' + round(upper + panel - panel * p.started / maxThroughput)).join(' ')}));

    // Lower panel: tasks waiting (handed to an executor, not started) and running, on average.
    const lower = top + panel + gap;
    svgNode.appendChild(yAxis(lower, maxLoad, 'tasks waiting (purple) and running (blue), on average'));
    const runningPoints = points.map((p, i) => round(xAt(i) + slot / 2) + ','
      + round(lower + panel - panel * p.running / maxLoad));
    svgNode.appendChild(s('polygon', {class: 'area-running', points: [round(xAt(0) + slot / 2) + ',' + (lower + panel)]
      .concat(runningPoints, [round(xAt(n - 1) + slot / 2) + ',' + (lower + panel)]).join(' ')}));
    svgNode.appendChild(s('polyline', {class: 'line-running', points: runningPoints.join(' ')}));
    svgNode.appendChild(s('polyline', {class: 'line-waiting', points: points.map((p, i) =>
      round(xAt(i) + slot / 2) + ',' + round(lower + panel - panel * p.waiting / maxLoad)).join(' ')}));

    const axis = s('g', {class: 'axis'});
    const span = n * activity.bucket;
    const step = niceStep(span, Math.max(2, Math.floor((right - left) / 90)));
    for (let t = 0; t <= span + 1; t += step) {
      axis.appendChild(s('text', {x: left + (right - left) * t / span, y: height - 4, 'text-anchor': 'middle'},
        '+' + fmtDuration(t)));
    }
    svgNode.appendChild(axis);
    return h('div', null, svgNode);
  }

  // ---- The DAG ----------------------------------------------------------------------------------

  function dagView(dag, options) {
    const opts = options || {};
    const width = Math.max(360, opts.width || 600);
    if (!dag.nodes.length) {
      return h('div', {class: 'empty'}, 'no tasks yet');
    }
    return dag.collapsed ? appDag(dag, width, opts) : taskDag(dag, width, opts);
  }

  /** Nodes by layer, each layer ordered by the mean position of the inputs (one barycentre sweep). */
  function orderLayers(dag) {
    const layers = [];
    for (const node of dag.nodes) {
      (layers[node.layer] = layers[node.layer] || []).push(node);
    }
    for (let i = 0; i < layers.length; i++) {
      layers[i] = layers[i] || [];
    }
    const inputs = new Map();
    for (const edge of dag.edges) {
      if (edge.from !== edge.to) {
        (inputs.get(edge.to) || inputs.set(edge.to, []).get(edge.to)).push(edge.from);
      }
    }
    const position = new Map();
    layers.forEach((layer, depth) => {
      if (depth > 0) {
        const key = new Map(layer.map((node, i) => {
          const from = (inputs.get(node.id) || []).map(id => position.get(id)).filter(p => p !== undefined);
          return [node.id, from.length ? from.reduce((a, b) => a + b, 0) / from.length : i / Math.max(1, layer.length)];
        }));
        layer.sort((a, b) => key.get(a.id) - key.get(b.id));
      }
      layer.forEach((node, i) => position.set(node.id, (i + 0.5) / layer.length));
    });
    return layers;
  }

  function taskDag(dag, width, opts) {
    const layers = orderLayers(dag);
    const widest = Math.max(...layers.map(layer => layer.length));
    // At most about 560 px high: in a wide layer the nodes overlap, as the points of a dense scatter plot do.
    const rowHeight = Math.min(24, 560 / widest);
    const height = Math.max(80, Math.round(widest * rowHeight + 24));
    const columnWidth = Math.max(24, (width - 24) / Math.max(1, layers.length));
    const radius = Math.max(1, Math.min(7, rowHeight * 0.36, columnWidth * 0.2));
    const place = new Map();
    layers.forEach((layer, depth) => {
      const offset = (height - 24 - layer.length * rowHeight) / 2;
      layer.forEach((node, i) => place.set(node.id, {x: 12 + columnWidth * (depth + 0.5),
        y: 12 + offset + rowHeight * (i + 0.5)}));
    });
    const svgNode = s('svg', {id: 'dag-svg', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height});
    // Many edges drawn faintly, so that where they go shows rather than a grey mass.
    const edges = s('g', {class: dag.edges.length > 300 ? 'edges dense' : 'edges'});
    for (const edge of dag.edges) {
      const a = place.get(edge.from);
      const b = place.get(edge.to);
      if (!a || !b) {
        continue;
      }
      const mid = (a.x + b.x) / 2;
      edges.appendChild(s('path', {class: 'dag-edge', d: 'M' + round(a.x) + ',' + round(a.y) + ' C' + round(mid) + ','
        + round(a.y) + ' ' + round(mid) + ',' + round(b.y) + ' ' + round(b.x) + ',' + round(b.y)}));
    }
    svgNode.appendChild(edges);
    const labels = rowHeight >= 15 && columnWidth >= 80;
    for (const node of dag.nodes) {
      const p = place.get(node.id);
      svgNode.appendChild(s('circle', {class: 'dag-node ' + stateClass(node.state), cx: p.x, cy: p.y, r: radius,
        'data-task-id': node.taskId},
        s('title', null, '#' + node.taskId + ' ' + node.app + ' \u00b7 ' + (STATE_LABELS[node.state] || node.state)
          + ' \u00b7 layer ' + node.layer)));
      if (labels) {
        svgNode.appendChild(s('text', {x: p.x + radius + 3, y: p.y + 4},
          truncate(node.app, Math.floor((columnWidth - radius - 8) / 6.2))));
      }
    }
    if (opts.onTask) {
      svgNode.addEventListener('click', event => {
        const target = event.target.closest('.dag-node');
        if (target) {
          opts.onTask(Number(target.getAttribute('data-task-id')));
        }
      });
    }
    const states = STATES.filter(state => dag.nodes.some(node => node.state === state));
    return h('div', null, svgNode, legend(states), h('div', {class: 'chart-note'}, fmtCount(dag.tasks), ' tasks in ',
      dag.layers, ' layers by dependency depth; ', fmtCount(dag.edges.length), ' edges'));
  }

  function appDag(dag, width, opts) {
    const layers = orderLayers(dag);
    const widest = Math.max(...layers.map(layer => layer.length));
    const boxWidth = 150;
    const boxHeight = 46;
    const rowHeight = boxHeight + 22;
    const columnWidth = Math.max(boxWidth + 50, (width - 24) / Math.max(1, layers.length));
    const svgWidth = Math.max(width, Math.round(24 + columnWidth * layers.length));
    const height = Math.round(widest * rowHeight + 24);
    const place = new Map();
    layers.forEach((layer, depth) => {
      const offset = (height - 24 - layer.length * rowHeight) / 2;
      layer.forEach((node, i) => place.set(node.id, {x: 12 + columnWidth * depth + (columnWidth - boxWidth) / 2,
        y: 12 + offset + rowHeight * i + 11}));
    });
    const svgNode = s('svg', {id: 'dag-svg', width: svgWidth, height: height,
      viewBox: '0 0 ' + svgWidth + ' ' + height});
    const within = new Map();
    for (const edge of dag.edges) {
      if (edge.from === edge.to) {
        within.set(edge.from, edge.count);
        continue;
      }
      const a = place.get(edge.from);
      const b = place.get(edge.to);
      if (!a || !b) {
        continue;
      }
      const x1 = a.x + boxWidth;
      const y1 = a.y + boxHeight / 2;
      const x2 = b.x;
      const y2 = b.y + boxHeight / 2;
      const mid = (x1 + x2) / 2;
      svgNode.appendChild(s('path', {class: 'dag-edge', 'stroke-width': Math.min(6, 1 + Math.log10(edge.count)),
        d: 'M' + round(x1) + ',' + round(y1) + ' C' + round(mid) + ',' + round(y1) + ' ' + round(mid) + ',' + round(y2)
          + ' ' + round(x2) + ',' + round(y2)}, s('title', null, fmtCount(edge.count) + ' task edges')));
      svgNode.appendChild(s('text', {x: mid, y: (y1 + y2) / 2 - 3, 'text-anchor': 'middle'}, fmtCount(edge.count)));
    }
    for (const node of dag.nodes) {
      const p = place.get(node.id);
      const group = s('g', {class: 'app-node dag-node', transform: 'translate(' + round(p.x) + ',' + round(p.y) + ')'},
        s('title', null, node.app + ': ' + Object.entries(node.states).map(([k, v]) => (STATE_LABELS[k] || k) + ' ' + v)
          .join(', ')),
        s('rect', {class: 'box', width: boxWidth, height: boxHeight, rx: 5}),
        s('text', {class: 'title', x: 8, y: 16}, truncate(node.app, 22)),
        s('text', {x: 8, y: 30}, fmtCount(node.tasks) + ' tasks'
          + (within.has(node.id) ? ', ' + fmtCount(within.get(node.id)) + ' edges within' : '')));
      let offset = 0;
      for (const state of STATES) {
        const count = node.states[state];
        if (count) {
          const w = (boxWidth - 16) * count / node.tasks;
          group.appendChild(s('rect', {class: stateClass(state), x: 8 + offset, y: 36, width: Math.max(1, w), height: 5}));
          offset += w;
        }
      }
      svgNode.appendChild(group);
    }
    return h('div', null, h('div', {class: 'scroll'}, svgNode), h('div', {class: 'chart-note'},
      fmtCount(dag.tasks), ' tasks: too many to draw one by one, so one box per app, with the task edges between apps'));
  }

  window.Shoal = Object.freeze({
    STATES, STATE_LABELS, h, s, replace, stateClass, badge, legend, table,
    fmtClock, fmtDateTime, fmtDuration, fmtOffset, fmtRate, fmtCount, truncate,
    summaryView, appsView, workersView, scalingView, failuresView, ganttView, activityView, dagView
  });
})();
