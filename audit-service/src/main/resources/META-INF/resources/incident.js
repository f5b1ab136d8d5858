// One incident: summary, a chart of connections against capacity with the level bands and every action marked,
// then the timeline with each action linked to the event that caused it.
'use strict';

(() => {
    const { api, el, duration, time, level, fail } = audit;
    const SVG = 'http://www.w3.org/2000/svg';
    const id = new URLSearchParams(location.search).get('id');
    const base = 'api/incidents/' + encodeURIComponent(id || '');

    function svg(tag, attrs, ...children) {
        const node = document.createElementNS(SVG, tag);
        for (const [name, value] of Object.entries(attrs || {})) {
            node.setAttribute(name, value);
        }
        for (const child of children) {
            node.append(child instanceof Node ? child : document.createTextNode(String(child)));
        }
        return node;
    }

    // when it happened: the sample time of a pressure event, the start of an action, else the event time
    function at(entry) {
        const when = entry.kind === 'PRESSURE' ? entry.sampledAt
            : entry.kind === 'ACTION' ? (entry.data.startedAt || entry.time) : entry.time;
        return Date.parse(when || entry.time);
    }

    function summary(incident) {
        const box = document.getElementById('summary');
        const facts = [
            ['Target', incident.target],
            ['Status', incident.status],
            ['Peak', [level(incident.peakLevel),
                incident.peakRatio != null ? ' ' + Math.round(incident.peakRatio * 100) + ' % of capacity' : '']],
            ['Opened (onset)', time(incident.openedAt)],
            ['Resolved', time(incident.resolvedAt)],
            ['Actions', incident.actionCount],
            ['Time to detect', duration(incident.timeToDetectMs)],
            ['Time to first action', duration(incident.timeToFirstActionMs)],
            ['Time to mitigation', duration(incident.timeToMitigateMs)],
            ['Time to resolution', duration(incident.timeToResolveMs)],
        ];
        box.replaceChildren(...facts.map(([name, value]) =>
            el('div', {}, el('b', {}, name), ...(Array.isArray(value) ? value : [value]))));
    }

    function chart(entries) {
        const pressure = entries.filter(e => e.kind === 'PRESSURE');
        const actions = entries.filter(e => e.kind === 'ACTION');
        const W = 1200, L = 56, R = 24, B = 40;
        const times = entries.map(at);
        const t0 = Math.min(...times), t1 = Math.max(...times, t0 + 1000);
        const x = t => L + (t - t0) / (t1 - t0) * (W - L - R);
        // action labels go on the first row where they do not overlap the previous label
        const rowEnds = [];
        const rows = actions.map(a => {
            const ax = x(at(a));
            let row = rowEnds.findIndex(end => end < ax);
            if (row < 0) {
                row = rowEnds.length;
            }
            rowEnds[row] = ax + 10 + (a.action.length + a.outcome.length + 1) * 6.2;
            return row;
        });
        const T = 24 + rowEnds.length * 14, H = T + 320;
        const top = Math.max(1, ...pressure.map(p => Math.max(p.connections || 0, p.capacity || 0))) * 1.1;
        const y = v => H - B - v / top * (H - T - B);

        const root = svg('svg', {
            id: 'chart', viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img',
            'aria-label': 'connections against capacity over time, with actions',
        });
        const bands = svg('g', { class: 'bands' });
        pressure.forEach((p, i) => {
            const from = x(at(p));
            const to = i + 1 < pressure.length ? x(at(pressure[i + 1])) : W - R;
            bands.append(svg('rect', {
                class: 'band ' + p.level, 'data-level': p.level,
                x: from, y: T, width: Math.max(0, to - from), height: H - T - B,
            }, svg('title', {}, p.level + ' from ' + time(p.sampledAt))));
        });
        root.append(bands);

        const axis = svg('g', { class: 'axis' });
        for (const v of [0, 0.25, 0.5, 0.75, 1].map(f => Math.round(f * top / 1.1))) {
            axis.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v) }),
                svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, v));
        }
        const steps = 8;
        for (let i = 0; i <= steps; i++) {
            const t = t0 + (t1 - t0) * i / steps;
            axis.append(svg('text', { x: x(t), y: H - B + 16, 'text-anchor': 'middle' }, duration(t - t0)));
        }
        axis.append(svg('text', { x: L, y: H - 6 }, 'time since ' + time(new Date(t0).toISOString())));
        root.append(axis);

        const measured = pressure.filter(p => p.connections != null && p.capacity != null);
        const line = pts => pts.map((p, i) => (i ? 'L' : 'M') + p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' ');
        const capacity = [];
        measured.forEach((p, i) => {
            if (i) {
                capacity.push([x(at(p)), y(measured[i - 1].capacity)]);
            }
            capacity.push([x(at(p)), y(p.capacity)]);
        });
        if (measured.length) {
            capacity.push([W - R, y(measured[measured.length - 1].capacity)]);
        }
        root.append(svg('path', { class: 'capacity', d: line(capacity) }));
        root.append(svg('path', { class: 'connections', d: line(measured.map(p => [x(at(p)), y(p.connections)])) }));
        for (const p of measured) {
            root.append(svg('circle', { class: 'sample', cx: x(at(p)), cy: y(p.connections), r: 2.5, fill: '#1565c0' },
                svg('title', {}, `${p.connections}/${p.capacity} connections (${p.level}) at ${time(p.sampledAt)}`)));
        }

        const markers = svg('g', { class: 'actions' });
        actions.forEach((a, i) => {
            const ax = x(at(a));
            const row = rows[i];
            markers.append(svg('g', {
                class: 'action-marker ' + a.outcome, 'data-action-id': a.actionId, 'data-seq': a.seq,
            },
            svg('line', { x1: ax, x2: ax, y1: 8 + row * 14, y2: H - B }),
            svg('circle', { cx: ax, cy: 8 + row * 14, r: 4 }),
            svg('text', { x: ax + 6, y: 12 + row * 14 }, a.action + ' ' + a.outcome),
            svg('title', {}, `${a.action} ${a.outcome} at ${time(a.data.startedAt || a.time)}\n${a.summary}`)));
        });
        root.append(markers);

        const legend = svg('g', { class: 'legend', transform: `translate(${W - R - 420},${H - 14})` });
        [['connections', '#1565c0', ''], ['usable capacity', '#1f2933', '6 4']].forEach(([name, color, dash], i) => {
            legend.append(svg('line', { x1: i * 150, x2: i * 150 + 24, y1: -4, y2: -4, stroke: color,
                'stroke-width': 2, 'stroke-dasharray': dash }),
                svg('text', { x: i * 150 + 30, y: 0 }, name));
        });
        ['ELEVATED', 'CRITICAL'].forEach((name, i) => {
            legend.append(svg('rect', { class: 'band ' + name, x: 300 + i * 70, y: -12, width: 12, height: 12 }),
                svg('text', { x: 316 + i * 70, y: 0 }, name));
        });
        root.append(legend);
        document.getElementById('chart-box').replaceChildren(root);
    }

    function timeline(entries) {
        const body = document.querySelector('#timeline tbody');
        body.replaceChildren(...entries.map(e => {
            const what = e.kind === 'PRESSURE' ? ['pressure ', level(e.level)]
                : e.kind === 'ACTION' ? ['action ' + e.action + ' ', el('b', {}, e.outcome)] : [e.type];
            const details = [e.summary];
            if (e.causedBySeq != null) {
                details.push(' — caused by ', el('a', { href: '#seq-' + e.causedBySeq }, '#' + e.causedBySeq));
            }
            return el('tr', { id: 'seq-' + e.seq, class: e.kind.toLowerCase() },
                el('td', {}, e.seq), el('td', {}, time(e.time)), el('td', {}, duration(e.sinceOnsetMs)),
                el('td', {}, ...what), el('td', {}, ...details));
        }));
    }

    for (const link of document.querySelectorAll('[data-export]')) {
        link.addEventListener('click', async event => {
            event.preventDefault();
            const type = link.dataset.export.endsWith('.md') ? 'text/markdown'
                : link.dataset.export.endsWith('.csv') ? 'text/csv' : 'application/json';
            try {
                const body = await api(base + '/' + link.dataset.export, type);
                const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
                window.open(URL.createObjectURL(new Blob([text], { type: type + ';charset=utf-8' })));
            } catch (error) {
                fail(error);
            }
        });
    }

    async function load() {
        if (!id) {
            throw new Error('No incident: open this page from the incidents list.');
        }
        const data = await api(base + '/timeline');
        document.getElementById('title').textContent = data.incident.incidentId + ' on ' + data.incident.target;
        document.title = 'connguard audit: ' + data.incident.incidentId;
        summary(data.incident);
        chart(data.entries);
        timeline(data.entries);
        const status = document.getElementById('status');
        status.textContent = data.entries.length + ' events, ' + data.incident.actionCount + ' actions';
        status.className = 'status';
    }

    load().catch(fail);
})();
