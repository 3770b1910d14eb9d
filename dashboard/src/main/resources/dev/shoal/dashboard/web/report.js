/*
 * A run's report, drawn from the data embedded in the page (the element shoal-report-data) by the
 * same code as the dashboard (shoal-common.js, inlined before this). No request leaves the page.
 */
(function () {
  'use strict';

  const S = window.Shoal;
  const h = S.h;
  const data = JSON.parse(document.getElementById('shoal-report-data').textContent);
  const app = document.getElementById('app');
  const run = data.summary.run;
  const origin = run.started;

  function panel(id, title, ...content) {
    return h('section', {class: 'panel', id: id}, h('h2', null, title), content);
  }

  document.title = 'Shoal report: ' + run.runId;
  S.replace(app,
    h('h1', {id: 'run-title'}, run.runId),
    h('div', {class: 'muted'}, 'report written ', S.fmtDateTime(data.generated),
      data.summary.running ? ' while the run was still going on: it shows the run as it stood then' : ''),
    panel('summary-panel', 'Summary', h('div', {id: 'summary'})),
    panel('timeline-panel', 'Timeline per worker', h('div', {id: 'gantt'})),
    h('div', {class: 'grid2'},
      panel('activity-panel', 'Throughput, queue and running over time', h('div', {id: 'activity'})),
      panel('dag-panel', 'DAG', h('div', {id: 'dag'}))),
    panel('apps-panel', 'Apps', h('div', {id: 'apps'})),
    panel('failures-panel', 'Failures', h('div', {id: 'failures'})),
    h('div', {class: 'grid2'},
      panel('workers-panel', 'Workers', h('div', {id: 'workers'})),
      panel('scaling-panel', 'Scaling decisions', h('div', {id: 'scaling'}))));

  function width(id) {
    const node = document.getElementById(id);
    return node && node.clientWidth ? node.clientWidth : 1000;
  }

  S.replace(document.getElementById('summary'), S.summaryView(data.summary));
  S.replace(document.getElementById('gantt'), S.ganttView(data.timeline, {width: width('gantt')}));
  S.replace(document.getElementById('activity'), S.activityView(data.activity, {width: width('activity')}));
  S.replace(document.getElementById('dag'), S.dagView(data.dag, {width: width('dag')}));
  S.replace(document.getElementById('apps'), S.appsView(data.apps));
  S.replace(document.getElementById('failures'), S.failuresView(data.failures, null));
  S.replace(document.getElementById('workers'), S.workersView(data.workers, origin));
  S.replace(document.getElementById('scaling'), S.scalingView(data.scaling, origin));
})();
