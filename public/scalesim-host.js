// scalesim-host.js: the host side of scalesim's embed protocol v1 (embed-protocol.md, beside this file), for a
// lesson page that embeds scalesim in an iframe. An ES module without dependencies:
//
//   import { attach } from './scalesim-host.js';
//   const sim = attach(document.getElementById('sim'), { origin: 'https://sim.example.org' });
//   sim.on('bottleneck', (e) => { ... });
//   sim.setLoad(5000);
//   const state = await sim.getState();
//
// It listens only to messages whose `event.source` is this iframe's window and whose origin is scalesim's, and
// posts only to scalesim's origin, never to '*'. Commands sent before scalesim is ready wait until it is.

const VERSION = 1;
/** Milliseconds getState() waits for its answer. */
const STATE_TIMEOUT_MS = 5000;

/** The origin of a URL, or null for one without a usable origin (about:blank, data:, an opaque origin). */
function originOf(url, base) {
  try {
    const o = new URL(url, base).origin;
    return o && o !== 'null' ? o : null;
  } catch {
    return null;
  }
}

/**
 * Attaches to an iframe that shows scalesim.
 * @param {HTMLIFrameElement} iframe the frame (its src may be set before or after attaching).
 * @param {{origin?: string, autoHeight?: boolean, maxHeight?: number}} [options] origin: scalesim's origin
 *   (default: the origin of the frame's src); autoHeight (default true): resize the frame from `height` events;
 *   maxHeight: the tallest the frame is made, in pixels (default 4000).
 */
export function attach(iframe, options = {}) {
  const origin = options.origin ?? originOf(iframe.getAttribute('src') || iframe.src, document.baseURI);
  if (!origin || originOf(origin) !== origin) {
    throw new Error('scalesim-host: give attach() the origin scalesim is served from, e.g. { origin: "https://sim.example.org" }');
  }
  const autoHeight = options.autoHeight ?? true;
  const maxHeight = options.maxHeight ?? 4000;
  const listeners = new Map();
  const waiting = new Map();
  let queue = [];
  let ready = false;
  let requests = 0;
  let resolveReady;
  const readyPromise = new Promise((resolve) => (resolveReady = resolve));

  function emit(type, data) {
    for (const key of [type, '*']) {
      for (const fn of listeners.get(key) ?? []) {
        try {
          fn(data);
        } catch (e) {
          setTimeout(() => { throw e; });
        }
      }
    }
  }

  function onMessage(event) {
    if (event.source !== iframe.contentWindow || event.origin !== origin) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || data.source !== 'scalesim' || data.v !== VERSION || typeof data.type !== 'string') return;
    if (data.type === 'ready') {
      // A reloaded frame announces itself again; commands queued meanwhile go now.
      ready = true;
      const pending = queue;
      queue = [];
      for (const m of pending) send(m);
      resolveReady(data);
    }
    if (data.type === 'height' && autoHeight && Number.isFinite(data.height) && data.height > 0) {
      iframe.style.height = `${Math.min(Math.ceil(data.height), maxHeight)}px`;
    }
    if ((data.type === 'state' || data.type === 'rejected') && waiting.has(data.request)) {
      const { resolve, reject, timer } = waiting.get(data.request);
      waiting.delete(data.request);
      clearTimeout(timer);
      if (data.type === 'state') resolve(data);
      else reject(Object.assign(new Error(`scalesim rejected ${data.command}: ${data.message}`), { field: data.field }));
    }
    emit(data.type, data);
  }
  window.addEventListener('message', onMessage);

  function send(message) {
    const target = iframe.contentWindow;
    if (!ready || !target) {
      queue.push(message);
      return;
    }
    target.postMessage({ target: 'scalesim', v: VERSION, ...message }, origin);
  }

  const command = (type, fields = {}) => send({ type, ...fields });

  return {
    /** scalesim's origin, as messages are checked against and posted to. */
    origin,
    /** Resolves with the `ready` event. */
    ready: readyPromise,
    /** Calls fn(event) for each event of `type` ('*' for every event); returns a function that stops it. */
    on(type, fn) {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type).add(fn);
      return () => listeners.get(type)?.delete(fn);
    },
    /** Opens the scenario a link's query string means (`stage=4&users=20000&ttl=300`, or a state's query). */
    setScenario: (query) => command('setScenario', { query: String(query) }),
    /** Opens stage `stage` (from 1) of a journey as the stage picker shows it (journey default 'scalesim'). */
    setStage: (stage, journey) => command('setStage', journey === undefined ? { stage } : { stage, journey }),
    /** Sets the number of users. */
    setLoad: (users) => command('setLoad', { users }),
    /** Sets a knob by its query-string key (`ttl`, `app`, `replicas`, `cdn`, …) to a number, string or boolean. */
    setKnob: (knob, value) => command('setKnob', { knob, value }),
    /** Applies the fix of a table row by its id (the `fix` of a bottleneck event), or of the first live row. */
    applyFix: (fix = 'first') => command('applyFix', { fix }),
    /** Schedules a fault (`kill_app`, `spike`, `kill_db`, …) at `at` simulated seconds (default: the cursor). */
    addFault: (fault, at) => command('addFault', at === undefined ? { fault } : { fault, at }),
    /** Starts playback. */
    play: () => command('play'),
    /** Pauses playback. */
    pause: () => command('pause'),
    /** Moves the playback cursor to `t` simulated seconds. */
    seek: (t) => command('seek', { t }),
    /** Hands out a challenge: a built-in one by id, or { query: 'goals=p99_ms<=200&hints=…' }. */
    setChallenge: (challenge) => command('setChallenge', typeof challenge === 'string' ? { id: challenge } : { query: String(challenge?.query ?? '') }),
    /** Resolves with a `state` event: {query, summary, bottleneck, challenge, t, playing}. */
    getState() {
      const request = `state-${++requests}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(request);
          reject(new Error('scalesim did not answer getState in time'));
        }, STATE_TIMEOUT_MS + (ready ? 0 : 30000));
        waiting.set(request, { resolve, reject, timer });
        command('getState', { request });
      });
    },
    /** Stops listening and forgets queued commands. */
    detach() {
      window.removeEventListener('message', onMessage);
      for (const { reject, timer } of waiting.values()) {
        clearTimeout(timer);
        reject(new Error('detached'));
      }
      waiting.clear();
      listeners.clear();
      queue = [];
    },
  };
}
