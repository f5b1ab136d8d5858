// Shared by the pages: API access (with the optional bearer token) and formatting.
'use strict';

const audit = (() => {
    const tokenKey = 'connguard-audit-token';

    async function api(path, accept) {
        const headers = { Accept: accept || 'application/json' };
        const token = sessionStorage.getItem(tokenKey);
        if (token) {
            headers.Authorization = 'Bearer ' + token;
        }
        const response = await fetch(path, { headers });
        if (response.status === 401) {
            const entered = window.prompt('This audit service wants its API token:');
            if (entered) {
                sessionStorage.setItem(tokenKey, entered.trim());
                return api(path, accept);
            }
        }
        if (!response.ok) {
            let detail = response.status + ' ' + response.statusText;
            try {
                const problem = await response.json();
                detail = problem.title + ': ' + (problem.detail || '');
            } catch (ignored) { /* not problem+json */ }
            throw new Error(detail);
        }
        return accept && accept !== 'application/json' ? response.text() : response.json();
    }

    function el(tag, attrs, ...children) {
        const node = document.createElement(tag);
        for (const [name, value] of Object.entries(attrs || {})) {
            if (value !== undefined && value !== null) {
                node.setAttribute(name, value);
            }
        }
        for (const child of children) {
            node.append(child instanceof Node ? child : document.createTextNode(child == null ? '' : String(child)));
        }
        return node;
    }

    function duration(ms) {
        if (ms === undefined || ms === null) {
            return '–';
        }
        const sign = ms < 0 ? '-' : '+';
        const abs = Math.abs(ms);
        if (abs >= 60000) {
            return sign + Math.floor(abs / 60000) + 'm ' + String(Math.floor(abs / 1000) % 60).padStart(2, '0') + 's';
        }
        return sign + (abs / 1000).toFixed(abs < 10000 ? 2 : 1) + 's';
    }

    function time(iso) {
        return iso ? iso.replace('T', ' ').replace(/(\.\d{3})\d*Z$/, '$1Z') : '–';
    }

    function level(name) {
        return el('span', { class: 'level ' + name }, name);
    }

    function fail(error) {
        const status = document.getElementById('status');
        status.textContent = error.message;
        status.className = 'status error';
    }

    return { api, el, duration, time, level, fail };
})();
