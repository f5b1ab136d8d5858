// The incidents list: newest first, filters, keyset paging ("Older incidents").
'use strict';

(() => {
    const { api, el, duration, time, level, fail } = audit;
    const form = document.getElementById('filters');
    const body = document.querySelector('#incidents tbody');
    const more = document.getElementById('more');
    const status = document.getElementById('status');
    let cursor = null;

    const params = new URLSearchParams(location.search);
    for (const name of ['target', 'level', 'from', 'to']) {
        if (params.get(name)) {
            form.elements[name].value = params.get(name);
        }
    }

    function query() {
        const q = new URLSearchParams();
        for (const name of ['target', 'level', 'from', 'to']) {
            const value = form.elements[name].value.trim();
            if (value) {
                q.set(name, value);
            }
        }
        return q;
    }

    async function load(append) {
        const q = query();
        q.set('limit', '50');
        if (append && cursor) {
            q.set('cursor', cursor);
        }
        const page = await api('api/incidents?' + q);
        if (!append) {
            body.replaceChildren();
        }
        for (const i of page.items) {
            const link = el('a', { href: 'incident.html?id=' + encodeURIComponent(i.incidentId) }, i.incidentId);
            body.append(el('tr', { 'data-incident': i.incidentId },
                el('td', {}, time(i.openedAt)),
                el('td', {}, i.target),
                el('td', {}, link),
                el('td', {}, i.status),
                el('td', {}, level(i.peakLevel), i.peakRatio != null ? ' ' + Math.round(i.peakRatio * 100) + ' %' : ''),
                el('td', {}, i.actionCount),
                el('td', {}, duration(i.timeToDetectMs)),
                el('td', {}, duration(i.timeToFirstActionMs)),
                el('td', {}, duration(i.timeToMitigateMs)),
                el('td', {}, duration(i.timeToResolveMs))));
        }
        cursor = page.nextCursor;
        more.hidden = !cursor;
        status.textContent = body.children.length ? body.children.length + ' incident(s)' : 'No incident recorded.';
        status.className = 'status';
    }

    form.addEventListener('submit', event => {
        event.preventDefault();
        history.replaceState(null, '', '?' + query());
        load(false).catch(fail);
    });
    more.addEventListener('click', () => load(true).catch(fail));
    load(false).catch(fail);
})();
