// Example host-page code for embedding scalesim: listens to each frame's messages, resizes the frame to its
// content, shows the live bottleneck, and drives the first frame with setStage / setLoad messages.
(function () {
  'use strict';
  var frames = ['first', 'second'];
  window.lessonMessages = { first: [], second: [] };

  function frameFor(source) {
    for (var i = 0; i < frames.length; i++) {
      var el = document.getElementById(frames[i]);
      if (el && el.contentWindow === source) return frames[i];
    }
    return null;
  }

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || data.source !== 'scalesim') return;
    var name = frameFor(event.source);
    if (!name) return;
    window.lessonMessages[name].push(data);
    var log = document.getElementById(name + '-log');
    var line = document.createElement('div');
    line.textContent = JSON.stringify(data);
    log.appendChild(line);
    if (data.type === 'height' && data.height > 0) {
      document.getElementById(name).style.height = Math.min(data.height, 4000) + 'px';
    }
    if (data.type === 'error') {
      // scalesim stopped (a bug): it now shows a short message and links to data.url.
      document.getElementById(name + '-bottleneck').textContent = data.message;
    }
    if (data.type === 'bottleneck') {
      document.getElementById(name + '-bottleneck').textContent = data.component
        ? data.component + ' (' + data.metric + ')'
        : 'none at this load';
    }
  });

  document.querySelectorAll('button[data-frame]').forEach(function (button) {
    button.addEventListener('click', function () {
      var target = document.getElementById(button.dataset.frame).contentWindow;
      if (button.dataset.stage) {
        target.postMessage({ target: 'scalesim', type: 'setStage', stage: Number(button.dataset.stage) }, '*');
      } else if (button.dataset.users) {
        target.postMessage({ target: 'scalesim', type: 'setLoad', users: Number(button.dataset.users) }, '*');
      }
    });
  });
})();
