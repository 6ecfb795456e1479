// The dashboard of ecl-reader serve: drawn from the JSON API of the same server, polled every few
// seconds. Hand-written, no build step; the charts are uPlot (served from the jar too).
'use strict';
(function () {
  var MAX_CHARTS = 24; // event charts per (group, interval); the busiest are shown, the filter finds the others
  var HEIGHT = 140;
  var COLORS = ['#1f6fb4', '#c62828', '#2e7d32', '#7b3fa0', '#e07b00', '#00838f', '#6d4c41', '#ad1457'];
  var params = new URLSearchParams(location.search);
  var N = clamp(parseInt(params.get('n'), 10) || 60, 1, 1000);
  // What a test or a curious user can read: polls done, and per chart the points drawn.
  var dash = window.eclDashboard = { polls: 0, charts: {} };
  var pairs = [];
  var filterText = '';
  var periodMs = 5000;

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function getJson(path) {
    return fetch(path, { cache: 'no-store' }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw new Error(path + ': ' + r.status + (body && body.error ? ' ' + body.error : ''));
        return body;
      });
    });
  }

  function seconds(iso) { return Date.parse(iso) / 1000; }

  function fmt(v) {
    if (v == null) return '–';
    if (Math.abs(v) >= 1e6) return (v / 1e6).toFixed(1) + 'M';
    if (Math.abs(v) >= 1e4) return (v / 1e3).toFixed(1) + 'k';
    return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
  }

  // Counts from zero, so that a drop from 1,000 to 990 does not look like one to nothing; values
  // (latencies and the like) on their own range.
  function plotOpts(series, width, fromZero) {
    var y = fromZero ? { range: function (u, min, max) { return uPlot.rangeNum(Math.min(0, min), Math.max(1, max), 0.1, true); } } : {};
    return {
      width: width, height: HEIGHT,
      cursor: { drag: { x: false, y: false } },
      legend: { show: series.length > 2 },
      scales: { x: { time: true }, y: y },
      axes: [{ size: 28, font: '11px system-ui' }, { size: 44, font: '11px system-ui', values: function (u, vs) { return vs.map(fmt); } }],
      series: [{}].concat(series)
    };
  }

  function widthOf(node) { return Math.max(200, node.clientWidth || 280); }

  // One chart of a pair, made on first use and given new data at every poll; made again only when
  // its series change (a new unique or value name).
  function chart(p, key, title, info, series, data, attrs) {
    var c = p.charts.get(key);
    if (!c) {
      c = { box: el('div', 'chart'), name: el('b', null, title), info: el('span'), plot: el('div', 'plot'), u: null, sig: null };
      var head = el('div', 'title');
      head.appendChild(c.name);
      head.appendChild(c.info);
      c.box.appendChild(head);
      c.box.appendChild(c.plot);
      c.name.title = title;
      p.charts.set(key, c);
    }
    c.seen = true;
    c.info.textContent = info;
    var sig = series.map(function (s) { return s.label; }).join('\u0000');
    if (c.u && c.sig === sig) {
      c.u.setData(data);
    } else {
      if (c.u) c.u.destroy();
      c.pending = { series: series, data: data, sig: sig };
    }
    var drawn = 0;
    for (var s = 1; s < data.length; s++) {
      for (var k = 0; k < data[s].length; k++) if (data[s][k] != null) drawn++;
    }
    Object.keys(attrs).forEach(function (a) { c.box.dataset[a] = attrs[a]; });
    c.box.dataset.points = drawn;
    dash.charts[key] = Object.assign({ points: drawn }, attrs);
    return c;
  }

  // Places a pair's charts in order, then draws the new ones (uPlot needs them in the page to size).
  function place(p, parent, list) {
    list.forEach(function (c, idx) {
      // Moved only when out of place: a chart under the pointer keeps its hover.
      if (parent.children[idx] !== c.box) parent.insertBefore(c.box, parent.children[idx] || null);
      if (c.pending) {
        c.u = new uPlot(plotOpts(c.pending.series, widthOf(c.plot), c.box.dataset.kind !== 'value'), c.pending.data, c.plot);
        c.sig = c.pending.sig;
        c.pending = null;
      }
      // From the first interval drawn to the end of the current one (uPlot's own range for a
      // single point spans years).
      c.u.setScale('x', { min: p.xMin, max: p.xMax });
    });
  }

  function eventSeries(color) {
    return [
      { label: 'closed', stroke: color, fill: color + '22', width: 1.5, points: { show: true, size: 4 } },
      { label: 'now', stroke: color, dash: [4, 4], width: 1.5, points: { show: true, size: 6 } }
    ];
  }

  function matches(name) { return filterText === '' || name.toLowerCase().indexOf(filterText) >= 0; }

  function draw(p) {
    var history = p.history, cur = p.current;
    var n = history.length;
    var xs = history.map(function (h) { return seconds(h.start); });
    var nowX = cur.current && cur.current.start ? seconds(cur.current.start) : Date.now() / 1000;
    if (n > 0 && nowX <= xs[n - 1]) nowX = xs[n - 1] + p.seconds;
    xs.push(nowX);
    p.xMin = n > 0 ? xs[0] : nowX - p.seconds;
    p.xMax = nowX + p.seconds;
    p.charts.forEach(function (c) { c.seen = false; });

    var counts = cur.current_counts || {};
    var names = new Set(p.declared);
    var totals = {};
    history.forEach(function (h) { Object.keys(h.counts || {}).forEach(function (e) { names.add(e); }); });
    Object.keys(counts).forEach(function (e) { names.add(e); });
    var events = Array.from(names).filter(matches);
    events.forEach(function (e) {
      var t = counts[e] || 0;
      history.forEach(function (h) { t += (h.counts && h.counts[e]) || 0; });
      totals[e] = t;
    });
    var shown = events;
    if (events.length > MAX_CHARTS) {
      shown = events.slice().sort(function (a, b) { return totals[b] - totals[a] || (a < b ? -1 : 1); }).slice(0, MAX_CHARTS);
    }
    shown.sort();
    var eventCharts = shown.map(function (e, idx) {
      var past = history.map(function (h) { return (h.counts && h.counts[e]) || 0; });
      var now = counts[e] || 0;
      var closed = past.concat([null]);
      var live = xs.map(function () { return null; });
      if (n > 0) live[n - 1] = past[n - 1];
      live[n] = now;
      var info = (n > 0 ? 'last ' + fmt(past[n - 1]) + ' · ' : '') + 'now ' + fmt(now);
      return chart(p, 'event\u0000' + e, e, info, eventSeries(COLORS[idx % COLORS.length]), [xs, closed, live],
        { group: p.group, interval: p.interval, kind: 'event', event: e, history: n, current: now });
    });

    var kindCharts = [];
    var uniq = new Set(Object.keys(cur.current_uniques || {}));
    history.forEach(function (h) { Object.keys(h.uniques || {}).forEach(function (u) { uniq.add(u); }); });
    var uniqNames = Array.from(uniq).filter(matches).sort();
    if (uniqNames.length > 0) {
      var useries = uniqNames.map(function (u, idx) {
        return { label: u, stroke: COLORS[idx % COLORS.length], width: 1.5, points: { show: true, size: 4 } };
      });
      var udata = [xs].concat(uniqNames.map(function (u) {
        return history.map(function (h) { return h.uniques && h.uniques[u] != null ? h.uniques[u] : null; })
          .concat([(cur.current_uniques || {})[u] != null ? cur.current_uniques[u] : null]);
      }));
      kindCharts.push(chart(p, 'uniques', 'distinct ' + uniqNames.join(', '), 'now ' + uniqNames.map(function (u) {
        return fmt((cur.current_uniques || {})[u]);
      }).join(' / '), useries, udata, { group: p.group, interval: p.interval, kind: 'uniques', history: n }));
    }

    var vals = new Set(Object.keys(cur.current_values || {}));
    history.forEach(function (h) { Object.keys(h.values || {}).forEach(function (v) { vals.add(v); }); });
    Array.from(vals).filter(matches).sort().forEach(function (v) {
      var qs = ['p50', 'p90', 'p99'];
      var vseries = qs.map(function (q, idx) {
        return { label: q, stroke: COLORS[idx], width: 1.5, points: { show: true, size: 4 } };
      });
      var nowStats = (cur.current_values || {})[v] || {};
      var vdata = [xs].concat(qs.map(function (q) {
        return history.map(function (h) { var s = h.values && h.values[v]; return s && s[q] != null ? s[q] : null; })
          .concat([nowStats[q] != null ? nowStats[q] : null]);
      }));
      kindCharts.push(chart(p, 'value\u0000' + v, v, 'now p50 ' + fmt(nowStats.p50) + ' · p99 ' + fmt(nowStats.p99),
        vseries, vdata, { group: p.group, interval: p.interval, kind: 'value', value: v, history: n }));
    });

    p.charts.forEach(function (c, key) {
      if (!c.seen) {
        if (c.u) c.u.destroy();
        c.box.remove();
        p.charts.delete(key);
        delete dash.charts[key];
      }
    });
    place(p, p.grid, eventCharts.concat(kindCharts));

    var covers = history.reduce(function (m, h) { return Math.max(m, h.covers || 1); }, 1);
    var notes = [];
    if (p.lastOnly) {
      notes.push(p.keepsHistory ? 'no closed interval kept yet: the last one only'
        : 'no history kept, the last interval only (history: N in the config keeps more)');
    }
    if (events.length > shown.length) notes.push('showing the ' + shown.length + ' busiest of ' + events.length + ' events; the filter finds the others');
    if (covers > 1) notes.push('an entry after an outage covers ' + covers + ' intervals');
    if (cur.stale) notes.push('stale: the rotation has not run for more than an interval');
    p.note.textContent = notes.join('; ');
  }

  // The current interval at every poll; the history only when a new interval has opened since it
  // was read (the rotation writes both in one step), so a big group's history crosses the network
  // once per interval rather than at every poll. Without its history (a group that keeps none, a
  // read that failed) a pair still shows the last and current intervals; a failure is said in its
  // note and the status line.
  function refresh(p) {
    var base = '/api/v1/groups/' + encodeURIComponent(p.group) + '/' + encodeURIComponent(p.interval);
    return getJson(base).then(function (cur) {
      var opened = cur.current ? cur.current.start : null;
      if (!p.keepsHistory || (p.historyRead && p.historyFor === opened)) return [cur, p.kept || [], null];
      return getJson(base + '/history?n=' + N).then(function (h) {
        p.kept = Array.isArray(h) ? h : [];
        p.historyRead = true;
        p.historyFor = opened;
        return [cur, p.kept, null];
      }, function (e) {
        p.historyRead = false;
        return [cur, [], e];
      });
    }).then(function (r) {
      var cur = r[0], historyError = r[2];
      p.current = cur;
      p.lastOnly = r[1].length === 0 && cur.last != null && cur.last.start != null;
      p.history = !p.lastOnly ? r[1] : [{ start: cur.last.start, end: cur.last.end, covers: 1,
        counts: cur.last_counts || {}, uniques: cur.last_uniques || {}, values: cur.last_values || {} }];
      p.el.classList.toggle('error', historyError != null);
      draw(p);
      if (historyError) {
        p.note.textContent = 'history: ' + historyError.message;
        throw historyError;
      }
    }, function (e) {
      p.el.classList.add('error');
      p.note.textContent = e.message;
      throw e;
    });
  }

  function drawClients(list) {
    var box = document.getElementById('clients');
    var table = box.querySelector('table');
    var body = table.querySelector('tbody');
    body.textContent = '';
    list.forEach(function (c) {
      var tr = el('tr', c.pending_events > 0 || c.dropped > 0 || c.last_failure ? 'warn' : null);
      tr.dataset.app = c.app;
      [c.app, c.host, c.pid, c.pending_events, c.dropped,
        c.last_delivery_age_seconds == null ? 'never' : c.last_delivery_age_seconds + ' s ago', c.last_failure]
        .forEach(function (v, idx) { tr.appendChild(el('td', idx >= 2 && idx <= 4 ? 'num' : null, String(v))); });
      body.appendChild(tr);
    });
    table.hidden = list.length === 0;
    box.querySelector('.empty').hidden = list.length > 0;
  }

  function setup(groups) {
    var root = document.getElementById('groups');
    var shortest = Infinity;
    groups.forEach(function (g) {
      var section = el('section', 'group');
      section.appendChild(el('h2', null, g.group));
      g.intervals.forEach(function (i) {
        shortest = Math.min(shortest, i.interval_seconds);
        var p = { group: g.group, interval: i.interval, seconds: i.interval_seconds, declared: g.events,
          keepsHistory: g.history > 0, charts: new Map(), el: el('div', 'pair') };
        p.el.dataset.group = g.group;
        p.el.dataset.interval = i.interval;
        var h = el('h3', null, g.group + ' · ' + i.interval + ' ');
        h.appendChild(el('small', null, g.auto_declare_events ? 'events declared as logged'
          : g.events.length + (g.events.length === 1 ? ' declared event' : ' declared events')));
        p.note = el('p', 'note');
        p.grid = el('div', 'charts');
        [h, p.note, p.grid].forEach(function (x) { p.el.appendChild(x); });
        section.appendChild(p.el);
        pairs.push(p);
      });
      root.appendChild(section);
    });
    // Twice per shortest interval, between 1 and 5 seconds: a new interval shows within one.
    periodMs = clamp(Math.round(shortest * 500), 1000, 5000);
  }

  function setStatus(text, error) {
    var s = document.getElementById('status');
    s.textContent = text;
    s.classList.toggle('error', !!error);
  }

  function poll() {
    if (document.hidden) {
      setTimeout(poll, periodMs);
      return;
    }
    var jobs = pairs.map(refresh);
    jobs.push(getJson('/api/v1/clients').then(function (r) { drawClients(r.clients || []); }));
    Promise.allSettled(jobs).then(function (results) {
      var failed = results.filter(function (r) { return r.status === 'rejected'; });
      dash.polls++;
      if (failed.length > 0) setStatus(failed[0].reason.message, true);
      else setStatus('updated ' + new Date().toLocaleTimeString() + ', every ' + periodMs / 1000 + ' s', false);
      setTimeout(poll, periodMs);
    });
  }

  var resizing = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      pairs.forEach(function (p) {
        p.charts.forEach(function (c) { if (c.u) c.u.setSize({ width: widthOf(c.plot), height: HEIGHT }); });
      });
    }, 150);
  });

  document.getElementById('filter').addEventListener('input', function (e) {
    filterText = e.target.value.trim().toLowerCase();
    pairs.forEach(function (p) { if (p.current) draw(p); });
  });

  function start() {
    getJson('/api/v1/groups').then(function (r) {
      setup(r.groups || []);
      poll();
    }, function (e) {
      setStatus(e.message + ' (retrying)', true);
      setTimeout(start, 5000);
    });
  }
  start();
})();
