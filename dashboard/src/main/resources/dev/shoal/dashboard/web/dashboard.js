/*
 * The live dashboard: the runs of a task database, and one run at a time, read from the JSON API
 * and refreshed every 1.5 s while the run has not ended (the runs list: while some run goes on, or
 * none has started yet). Routes are fragments: #/ lists the runs, #/runs/<id> shows one,
 * #/runs/<id>/tasks/<task id> shows one with a task's detail open.
 *
 * As in shoal-common.js, data reaches the page only as text: never as markup.
 */
(function () {
  'use strict';

  const S = window.Shoal;
  const h = S.h;
  const POLL_MILLIS = 1500;
  const PAGE = 50;

  const app = document.getElementById('app');
  const banner = document.getElementById('banner');
  const live = document.getElementById('live');

  const view = {
    generation: 0,
    runId: null,
    taskId: null,
    filter: {state: '', app: '', q: '', offset: 0},
    running: null,
    anyRunning: false,
    noRuns: false,
    timer: null,
    polling: false,
    refreshes: 0,
    summary: null,
    detail: null,
    apps: [],
    nodes: null
  };

  // What tests and curious users may read: whether the page still polls, how often it refreshed.
  window.shoalDashboard = Object.freeze({
    get polling() { return view.polling; },
    get refreshes() { return view.refreshes; },
    get runId() { return view.runId; },
    get running() { return view.running; }
  });

  function enc(value) {
    return encodeURIComponent(String(value));
  }

  function runLink(runId, taskId) {
    return '#/runs/' + enc(runId) + (taskId === null || taskId === undefined ? '' : '/tasks/' + enc(taskId));
  }

  async function api(path) {
    const response = await fetch(path, {headers: {Accept: 'application/json'}, cache: 'no-store'});
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      throw new Error(path + ': HTTP ' + response.status);
    }
    if (!response.ok) {
      throw new Error(body && body.error ? body.error : path + ': HTTP ' + response.status);
    }
    return body;
  }

  function showError(message) {
    S.replace(banner, message ? h('div', {class: 'error-banner', id: 'error-banner'}, message) : null);
  }

  function route() {
    let parts = [];
    try {
      parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
    } catch (e) {
      parts = [];
    }
    if (parts[0] === 'runs' && parts[1]) {
      const taskId = parts[2] === 'tasks' && /^\d+$/.test(parts[3] || '') ? Number(parts[3]) : null;
      return {runId: parts[1], taskId: taskId};
    }
    return {runId: null, taskId: null};
  }

  function navigate() {
    const target = route();
    if (target.runId !== null && target.runId === view.runId) {
      // The same run: only the task detail changes.
      if (target.taskId !== view.taskId) {
        view.taskId = target.taskId;
        view.detail = null;
        renderDetail();
        markSelected();
        if (view.taskId !== null) {
          loadDetail(view.generation);
        }
      }
      return;
    }
    view.generation++;
    clearTimeout(view.timer);
    view.runId = target.runId;
    view.taskId = target.taskId;
    view.filter = {state: '', app: '', q: '', offset: 0};
    view.running = null;
    view.summary = null;
    view.detail = null;
    view.apps = [];
    showError(null);
    if (view.runId === null) {
      buildRunsView();
    } else {
      buildRunView();
    }
    refresh();
  }

  async function refresh() {
    const generation = view.generation;
    clearTimeout(view.timer);
    let failed = false;
    try {
      if (view.runId === null) {
        await refreshRuns(generation);
      } else {
        await refreshRun(generation);
      }
      if (generation !== view.generation) {
        return;
      }
      showError(null);
    } catch (e) {
      if (generation !== view.generation) {
        return;
      }
      showError(e.message);
      failed = true;
    }
    view.refreshes++;
    // A failed refresh (the server restarting, a run not recorded yet) is tried again, unless the run is known to have ended.
    const keepPolling = failed ? view.running !== false
      : view.runId === null ? view.anyRunning || view.noRuns : view.running !== false;
    view.polling = keepPolling;
    live.className = keepPolling ? 'on' : '';
    live.textContent = keepPolling ? 'live' : 'not refreshing: ' + (view.runId === null ? 'no run is going on'
      : 'the run has ended');
    if (keepPolling) {
      view.timer = setTimeout(refresh, POLL_MILLIS);
    }
  }

  // ---- The runs --------------------------------------------------------------------------------

  function buildRunsView() {
    document.title = 'Shoal dashboard';
    S.replace(app, h('h1', null, 'Runs'), h('section', {class: 'panel'}, h('div', {id: 'runs'}, 'loading\u2026')));
  }

  async function refreshRuns(generation) {
    const runs = await api('/api/runs');
    if (generation !== view.generation) {
      return;
    }
    view.anyRunning = runs.some(run => !run.ended);
    view.noRuns = runs.length === 0;
    const now = Date.now() * 1000;
    const container = document.getElementById('runs');
    if (!runs.length) {
      S.replace(container, h('div', {class: 'empty'},
        'No run in this task database yet; this page refreshes until one starts.'));
      return;
    }
    S.replace(container, S.table([
      {title: 'run', cell: r => h('a', {href: runLink(r.runId)}, r.runId)},
      {title: 'program', cell: r => r.program ? h('code', null, S.truncate(r.program, 80)) : '', tip: r => r.program},
      {title: 'started', cell: r => S.fmtDateTime(r.started)},
      {title: 'duration', num: true, cell: r => S.fmtDuration((r.ended || now) - r.started)},
      {title: 'status', cell: r => r.ended ? 'ended' : h('span', {class: 'status-running'}, 'running')},
      {title: 'tasks', num: true, cell: r => S.fmtCount(r.submitted)},
      {title: 'done', num: true, cell: r => S.fmtCount(r.succeeded)},
      {title: 'failed', num: true, cell: r => S.fmtCount(r.failed)},
      {title: 'dep. failed', num: true, cell: r => S.fmtCount(r.dependencyFailed)}
    ], runs, {id: 'runs-table', rowData: r => ({runId: r.runId})}));
  }

  // ---- One run ---------------------------------------------------------------------------------

  function panel(id, title, ...content) {
    return h('section', {class: 'panel', id: id}, h('h2', null, title), content);
  }

  function buildRunView() {
    document.title = 'Shoal: ' + view.runId;
    const stateSelect = h('select', {id: 'filter-state', 'aria-label': 'state', onchange: e => {
      view.filter.state = e.target.value;
      view.filter.offset = 0;
      refreshTasks(view.generation);
    }}, h('option', {value: ''}, 'every state'), S.STATES.map(state => h('option', {value: state},
      S.STATE_LABELS[state])));
    const appSelect = h('select', {id: 'filter-app', 'aria-label': 'app', onchange: e => {
      view.filter.app = e.target.value;
      view.filter.offset = 0;
      refreshTasks(view.generation);
    }}, h('option', {value: ''}, 'every app'));
    let typing = null;
    const text = h('input', {id: 'filter-text', type: 'search', placeholder: 'error or worker contains\u2026',
      'aria-label': 'text', oninput: e => {
        clearTimeout(typing);
        typing = setTimeout(() => {
          view.filter.q = e.target.value;
          view.filter.offset = 0;
          refreshTasks(view.generation);
        }, 250);
      }});
    const prev = h('button', {id: 'page-prev', type: 'button', onclick: () => {
      view.filter.offset = Math.max(0, view.filter.offset - PAGE);
      refreshTasks(view.generation);
    }}, '\u2190 previous');
    const next = h('button', {id: 'page-next', type: 'button', onclick: () => {
      view.filter.offset += PAGE;
      refreshTasks(view.generation);
    }}, 'next \u2192');
    S.replace(app,
      h('div', {class: 'crumbs'}, h('a', {href: '#/'}, 'Runs'), ' / '),
      h('h1', {id: 'run-title'}, view.runId),
      panel('summary-panel', 'Summary', h('div', {id: 'summary'}, 'loading\u2026')),
      panel('timeline-panel', 'Timeline per worker', h('div', {id: 'gantt'})),
      h('div', {class: 'grid2'},
        panel('activity-panel', 'Throughput, queue and running over time', h('div', {id: 'activity'})),
        panel('dag-panel', 'DAG', h('div', {id: 'dag'}))),
      h('div', {class: 'tasks-layout'},
        panel('tasks-panel', 'Tasks',
          h('div', {class: 'filters'}, stateSelect, appSelect, text),
          h('div', {id: 'task-table'}),
          h('div', {class: 'pager'}, prev, next, h('span', {id: 'page-info'}))),
        panel('task-detail-panel', 'Task', h('div', {id: 'task-detail'}))),
      panel('apps-panel', 'Apps', h('div', {id: 'apps'})),
      h('div', {class: 'grid2'},
        panel('workers-panel', 'Workers', h('div', {id: 'workers'})),
        panel('scaling-panel', 'Scaling decisions', h('div', {id: 'scaling'}))));
    renderDetail();
  }

  function width(id) {
    const node = document.getElementById(id);
    return node && node.clientWidth ? node.clientWidth : 1000;
  }

  async function refreshRun(generation) {
    const base = '/api/runs/' + enc(view.runId);
    const summary = await api(base);
    if (generation !== view.generation) {
      return;
    }
    view.summary = summary;
    const [timeline, activity, dag, apps, workers, scaling] = await Promise.all([
      api(base + '/timeline'), api(base + '/throughput'), api(base + '/dag'), api(base + '/apps'),
      api(base + '/workers'), api(base + '/scaling'), refreshTasks(generation)]);
    if (generation !== view.generation) {
      return;
    }
    const origin = summary.run.started;
    S.replace(document.getElementById('summary'), S.summaryView(summary));
    updateStateOptions(summary.states);
    const openTask = taskId => { location.hash = runLink(view.runId, taskId); };
    S.replace(document.getElementById('gantt'), S.ganttView(timeline, {width: width('gantt'), onTask: openTask}));
    S.replace(document.getElementById('activity'), S.activityView(activity, {width: width('activity')}));
    S.replace(document.getElementById('dag'), S.dagView(dag, {width: width('dag'), onTask: openTask}));
    S.replace(document.getElementById('apps'), S.appsView(apps));
    updateAppOptions(apps.map(a => a.app));
    S.replace(document.getElementById('workers'), S.workersView(workers, origin));
    S.replace(document.getElementById('scaling'), S.scalingView(scaling, origin));
    // A task's detail changes until it finishes; then it stays as it is.
    if (view.taskId !== null && (!view.detail || !isTerminal(view.detail.task.state))) {
      await loadDetail(generation);
    }
    view.running = summary.running;
  }

  function isTerminal(state) {
    return state === 'done' || state === 'failed' || state === 'dep_failed';
  }

  function updateStateOptions(states) {
    const select = document.getElementById('filter-state');
    for (const option of select.options) {
      if (option.value) {
        option.textContent = S.STATE_LABELS[option.value] + ' (' + S.fmtCount(states[option.value] || 0) + ')';
      }
    }
  }

  function updateAppOptions(names) {
    if (names.join('\n') === view.apps.join('\n')) {
      return;
    }
    view.apps = names;
    const select = document.getElementById('filter-app');
    const chosen = select.value;
    S.replace(select, h('option', {value: ''}, 'every app'), names.map(name => h('option', {value: name}, name)));
    select.value = names.includes(chosen) ? chosen : '';
  }

  async function refreshTasks(generation) {
    const f = view.filter;
    const params = new URLSearchParams();
    if (f.state) {
      params.set('state', f.state);
    }
    if (f.app) {
      params.set('app', f.app);
    }
    if (f.q) {
      params.set('q', f.q);
    }
    params.set('offset', String(f.offset));
    params.set('limit', String(PAGE));
    const page = await api('/api/runs/' + enc(view.runId) + '/tasks?' + params.toString());
    if (generation !== view.generation) {
      return;
    }
    const origin = view.summary ? view.summary.run.started : null;
    S.replace(document.getElementById('task-table'), page.tasks.length ? S.table([
      {title: 'task', num: true, cell: t => String(t.taskId)},
      {title: 'app', cell: t => h('code', null, t.app)},
      {title: 'state', cell: t => S.badge(t.state)},
      {title: 'attempts', num: true, cell: t => t.attempts},
      {title: 'worker', cell: t => t.worker ? S.truncate(t.worker, 28) : '', tip: t => t.worker},
      {title: 'started', num: true, cell: t => origin !== null && t.started ? S.fmtOffset(t.started, origin) : ''},
      {title: 'run time', num: true, cell: t => t.started && t.ended ? S.fmtDuration(t.ended - t.started) : ''},
      {title: 'error', cell: t => t.error ? h('span', {class: 'error-cell'}, t.error) : '', tip: t => t.error}
    ], page.tasks, {
      id: 'tasks-table',
      onRow: t => { location.hash = runLink(view.runId, t.taskId); },
      rowData: t => ({taskId: t.taskId, state: t.state}),
      selected: t => t.taskId === view.taskId
    }) : h('div', {class: 'empty'}, 'no task matches'));
    const last = Math.min(page.total, page.offset + page.tasks.length);
    document.getElementById('page-info').textContent = page.total
      ? (page.offset + 1) + '\u2013' + last + ' of ' + S.fmtCount(page.total) : '0 tasks';
    document.getElementById('page-prev').disabled = page.offset === 0;
    document.getElementById('page-next').disabled = last >= page.total;
  }

  function markSelected() {
    for (const row of document.querySelectorAll('#tasks-table tbody tr')) {
      row.classList.toggle('selected', Number(row.dataset.taskId) === view.taskId);
    }
  }

  // ---- A task's detail -------------------------------------------------------------------------

  async function loadDetail(generation) {
    const taskId = view.taskId;
    try {
      const detail = await api('/api/runs/' + enc(view.runId) + '/tasks/' + enc(taskId));
      if (generation !== view.generation || taskId !== view.taskId) {
        return;
      }
      view.detail = detail;
    } catch (e) {
      if (generation !== view.generation || taskId !== view.taskId) {
        return;
      }
      view.detail = {missing: e.message};
    }
    renderDetail();
  }

  function renderDetail() {
    const container = document.getElementById('task-detail');
    if (!container) {
      return;
    }
    if (view.taskId === null) {
      S.replace(container, h('div', {class: 'empty'}, 'Click a task in the table, the timeline or the DAG.'));
      return;
    }
    if (!view.detail) {
      S.replace(container, h('div', {class: 'muted'}, 'loading task ', String(view.taskId), '\u2026'));
      return;
    }
    if (view.detail.missing) {
      S.replace(container, h('div', {class: 'error-banner'}, view.detail.missing));
      return;
    }
    const t = view.detail.task;
    const origin = view.summary ? view.summary.run.started : t.submitted;
    const when = at => at ? [S.fmtOffset(at, origin), h('span', {class: 'muted'}, '  ', S.fmtClock(at))] : '\u2014';
    const fields = [
      ['app', h('code', {id: 'task-app'}, t.app)],
      ['state', h('span', {id: 'task-state'}, S.badge(t.state))],
      ['attempts', String(t.attempts)],
      ['executor', t.executor || '\u2014'],
      ['worker', t.worker || '\u2014'],
      ['submitted', when(t.submitted)],
      ['launched', when(t.launched)],
      ['queued', when(t.queued)],
      ['received', when(t.received)],
      ['started', when(t.started)],
      ['ended', when(t.ended)],
      ['finished', when(t.finished)],
      ['run time', t.started && t.ended ? S.fmtDuration(t.ended - t.started) : '\u2014'],
      ['waited', t.launched && t.started ? S.fmtDuration(t.started - t.launched) : '\u2014'],
      ['reused', t.reused ? 'yes (memoized)' : 'no'],
      ['inputs', t.dependsOn.length ? t.dependsOn.map((id, i) => [i ? ', ' : '',
        h('a', {href: runLink(view.runId, id)}, '#' + id)]) : 'none'],
      ['args digest', t.argsDigest ? h('code', null, t.argsDigest) : '\u2014']
    ];
    S.replace(container,
      h('h2', {id: 'task-title'}, 'Task #' + t.taskId),
      h('dl', null, fields.map(([name, value]) => [h('dt', null, name), h('dd', null, value)])),
      t.error ? [h('h2', null, 'Error'), h('pre', {class: 'error', id: 'task-error'}, t.error)] : null,
      h('h2', null, 'Events'),
      eventTimeline(view.detail.events, origin),
      S.table([
        {title: 'transition', cell: e => e.transition},
        {title: 'attempt', num: true, cell: e => e.attempt},
        {title: 'at', num: true, cell: e => S.fmtOffset(e.at, origin), tip: e => S.fmtDateTime(e.at)},
        {title: 'worker', cell: e => e.worker || ''},
        {title: 'detail', cell: e => e.error ? h('span', {class: 'error-cell'}, e.error) : (e.detail || '')}
      ], view.detail.events, {id: 'events-table'}));
  }

  /** The task's events along one line, so that gaps (a wait on the queue, a retry) show. */
  function eventTimeline(events, origin) {
    if (!events.length) {
      return null;
    }
    const w = Math.max(280, (document.getElementById('task-detail').clientWidth || 400) - 4);
    const first = events[0].at;
    const last = events[events.length - 1].at;
    const span = Math.max(1, last - first);
    const left = 10;
    const right = w - 10;
    const svgNode = S.s('svg', {id: 'events-svg', width: w, height: 58, viewBox: '0 0 ' + w + ' 58'},
      S.s('line', {x1: left, x2: right, y1: 29, y2: 29, stroke: '#d0d5dd'}));
    // Labels above and below by turns, each left out where it would run into the last one on its side.
    const labelEnd = [-Infinity, -Infinity];
    events.forEach((e, i) => {
      const x = left + (right - left) * (e.at - first) / span;
      const failed = e.transition === 'FAILED' || e.transition === 'ATTEMPT_FAILED' || e.transition === 'DEP_FAILED';
      svgNode.appendChild(S.s('circle', {cx: x, cy: 29, r: 4.5, class: failed ? 'state-failed'
        : e.transition === 'DONE' ? 'state-done' : 'state-running'},
        S.s('title', null, e.transition + ' ' + S.fmtOffset(e.at, origin))));
      const name = e.transition.toLowerCase();
      const textWidth = name.length * 6.2;
      const anchor = x - textWidth / 2 < 2 ? 'start' : x + textWidth / 2 > w - 2 ? 'end' : 'middle';
      const from = anchor === 'start' ? x : anchor === 'end' ? x - textWidth : x - textWidth / 2;
      const side = i % 2;
      if (from > labelEnd[side] + 4) {
        labelEnd[side] = from + textWidth;
        svgNode.appendChild(S.s('text', {x: x, y: side ? 52 : 15, 'text-anchor': anchor}, name));
      }
    });
    return svgNode;
  }

  window.addEventListener('hashchange', navigate);
  navigate();
})();
