// The example lesson's script: attaches to its three simulators with scalesim-host.js, drives them from the
// lesson's buttons and shows what they report. Every text from a simulator is written with textContent.
import { attach } from './scalesim-host.js';

const app = new URL(document.body.dataset.app || '../', document.baseURI);
// Pinning this page's origin in each frame's link makes scalesim talk only to this page, and lets it post
// `result` (which is never posted to an unpinned host).
const pin = location.origin && location.origin !== 'null' ? `&origin=${encodeURIComponent(location.origin)}` : '';

/** Everything the simulators posted, by frame, for people (and tests) reading along. */
window.lesson = { events: { step1: [], step2: [], step3: [] }, sims: {} };

const $ = (id) => document.getElementById(id);
const say = (id, text, refused = false) => {
  $(id).textContent = text;
  $(id).classList.toggle('refused', refused);
};
const number = new Intl.NumberFormat('en');

function log(step, event) {
  window.lesson.events[step].push(event);
  const line = document.createElement('li');
  line.textContent = `${step}: ${JSON.stringify(event)}`;
  $('log').appendChild(line);
  while ($('log').children.length > 200) $('log').firstChild.remove();
}

/** Attaches to a frame, then loads scalesim into it (attaching first, so no event is missed). */
function simulator(step) {
  const frame = $(step);
  const sim = attach(frame, { origin: app.origin });
  sim.on('*', (e) => log(step, e));
  sim.on('error', (e) => say(`${step}-status`, `The simulator stopped: ${e.message}`, true));
  sim.on('rejected', (e) => say(`${step}-status`, `The simulator refused ${e.command}: ${e.message}`, true));
  frame.src = new URL(`?${frame.dataset.query}${pin}`, app).href;
  window.lesson.sims[step] = sim;
  return sim;
}

/** A goal's figure for people: rates as percentages, the rest with three significant digits. */
function figure(metric, value) {
  if (metric.endsWith('_rate')) return `${number.format(Number((value * 100).toPrecision(3)))} %`;
  return number.format(Number(value.toPrecision(3)));
}

function bottleneckWords(e) {
  return e.component ? `${e.component}: ${e.metric.toLowerCase()}` : 'none at this load';
}

// Step 1: the load buttons.
const step1 = simulator('step1');
step1.on('bottleneck', (e) => say('step1-status', bottleneckWords(e)));

// Step 2: fixes, a stage, a fault and playback.
const step2 = simulator('step2');
const step2Start = new URL(`?${$('step2').dataset.query}`, app).searchParams;
step2Start.delete('embed');
step2Start.delete('lock');
step2Start.delete('panels');
step2.on('bottleneck', (e) => {
  say('step2-status', bottleneckWords(e));
  say('step2-fix', e.component ? e.label : 'nothing to fix at this load');
});
const step2Actions = {
  fix: () => step2.applyFix('first'),
  db: () => step2.setKnob('db', true),
  stage5: () => step2.setStage(5),
  reset: () => step2.setScenario(step2Start.toString()),
  play: () => step2.play(),
  pause: () => step2.pause(),
  rewind: () => step2.seek(0),
  kill: () => step2.addFault('kill_app', 60),
};

// Step 3: the challenge, its goals, and the banner.
const step3 = simulator('step3');
const goalsList = $('step3-goals');
step3.on('challenge', (e) => {
  goalsList.replaceChildren(
    ...e.goals.map((g) => {
      const li = document.createElement('li');
      const now = g.actual === null ? '…' : figure(g.metric, g.actual);
      li.textContent = `${g.metric} ${g.op === '<=' ? '≤' : '≥'} ${figure(g.metric, g.target)}: now ${now} — ${g.met ? 'met' : 'not yet'}`;
      li.classList.toggle('met', g.met);
      return li;
    }),
  );
  say('step3-status', e.passed ? `${e.title}: every goal is met.` : `${e.title}: ${e.goals.filter((g) => g.met).length} of ${e.goals.length} goals met.`);
});
step3.on('result', (e) => {
  const banner = $('banner');
  const minutes = (e.duration.match(/(\d+)M/) || [0, 0])[1];
  const seconds = (e.duration.match(/(\d+)S/) || [0, 0])[1];
  const took = `${minutes > 0 ? `${minutes} min ` : ''}${seconds} s`;
  const words = {
    passed: `Lesson complete: you passed the challenge in ${took}, meeting ${e.score.raw} of ${e.score.max} goals.`,
    completed: `Challenge completed in ${took}, with a change made by this page; try it again on your own for a pass.`,
    failed: `You moved on before meeting every goal (${e.score.raw} of ${e.score.max} met).`,
  };
  banner.textContent = words[e.verb] ?? `The simulator reported: ${e.verb}.`;
  banner.classList.toggle('not-passed', e.verb !== 'passed');
  banner.hidden = false;
});
$('challenge-pick').addEventListener('change', (ev) => step3.setChallenge(ev.target.value));
const step3Actions = {
  progress: async () => {
    try {
      const state = await step3.getState();
      const s = state.summary;
      say('step3-status', `Now: ${number.format(Number((s.error_rate * 100).toPrecision(2)))} % of requests fail, p99 ${number.format(Math.round(s['latency_ms.p99']))} ms, ${number.format(Math.round(s.cost_usd_per_month))} $ a month.`);
    } catch (err) {
      say('step3-status', String(err.message), true);
    }
  },
};

document.querySelectorAll('button[data-step]').forEach((button) => {
  button.addEventListener('click', () => {
    const { step, load, action } = button.dataset;
    if (load) window.lesson.sims[step].setLoad(Number(load));
    else ({ step2: step2Actions, step3: step3Actions })[step][action]();
  });
});
