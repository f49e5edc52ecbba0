// Live view (issue 15): the canvas follows its stack wherever it changes —
// another tab, the command line, an import. The server's event stream
// (server-sent events, #editor's data-live-url) says the head revision and
// who else has the stack open; when the head is not what this page shows,
// the page asks for what changed since (data-changes-url) and morphs only
// that in, so selection, scroll, zoom and a field being typed in stay.
//
// An edit carries the revision the thing edited was shown at: the panel's
// own (data-base-revision, from the answer that filled it), else the
// page's. The server merges an edit made on an older revision; when it
// cannot, the panel shows both values (web.ConflictChoicePanel).

export function initLive (htmx, c) {
  const { editor, transport } = c
  const presenceEl = document.getElementById('presence')
  if (!editor.dataset.liveUrl || !presenceEl || typeof EventSource === 'undefined') return
  const view = 'v' + Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')
  let head = editor.dataset.revision
  let edits = 0
  let syncing = false
  let peers = []

  const isEdit = (verb) => verb && verb.toLowerCase() !== 'get'
  document.body.addEventListener('htmx:beforeRequest', (e) => { if (isEdit(e.detail.requestConfig?.verb)) edits++ })
  document.body.addEventListener('htmx:afterRequest', (e) => {
    if (isEdit(e.detail.requestConfig?.verb)) {
      edits = Math.max(0, edits - 1)
      setTimeout(sync, 0)
    }
  })
  // A drag is based on the revision it started from, and the canvas does
  // not change under the pointer: changes wait for the button's release.
  let pressed = false
  const dragBase = new Map()
  editor.addEventListener('pointerdown', (e) => {
    pressed = true
    const node = e.target.closest?.('.node')
    if (node) dragBase.set(node.id, editor.dataset.revision)
  }, true)
  window.addEventListener('pointerup', () => {
    pressed = false
    // The release's move, if any, has been sent by then.
    setTimeout(() => { dragBase.clear(); sync() }, 0)
  }, true)
  // The revision an edit is based on: that of what the user edited.
  document.body.addEventListener('htmx:configRequest', (e) => {
    if (!isEdit(e.detail.verb)) return
    const elt = e.detail.elt
    const holder = elt?.closest?.('[data-base-revision]')
    if (holder) e.detail.headers['X-Base-Revision'] = holder.dataset.baseRevision
    else if (elt?.id && dragBase.has(elt.id) && e.detail.path === elt.dataset.moveUrl) e.detail.headers['X-Base-Revision'] = dragBase.get(elt.id)
    if (elt?.id) dragBase.delete(elt.id)
  })
  const panel = document.getElementById('panel')
  document.body.addEventListener('htmx:afterSwap', (e) => {
    if (e.detail.target !== panel) return
    const rev = e.detail.xhr?.getResponseHeader('X-Switchboard-Revision')
    if (rev) panel.dataset.baseRevision = rev
    else delete panel.dataset.baseRevision
  })
  // This page's own edit that did not redraw the panel (a move, a new
  // wire) leaves what it shows true at the new revision; one merged with
  // others' changes may not, so the panel is asked again.
  document.body.addEventListener('htmx:afterRequest', (e) => {
    const d = e.detail
    if (!isEdit(d.requestConfig?.verb) || !d.successful || d.target === panel || dirty()) return
    const rev = d.xhr?.getResponseHeader('X-Switchboard-Revision')
    const base = d.requestConfig?.headers?.['X-Base-Revision']
    if (!rev || panel.dataset.baseRevision == null) return
    if (Number(rev) === Number(base) + 1) panel.dataset.baseRevision = rev
    else if (rev !== base) refreshPanel()
  })

  // A panel holds input not yet sent while a field differs from what the
  // server rendered (a changed field that lost focus has been sent).
  const dirty = () => {
    for (const f of panel.querySelectorAll('input, textarea, select')) {
      if (f.type === 'checkbox' || f.type === 'radio') { if (f.checked !== f.defaultChecked) return true } else if (f.tagName === 'SELECT') {
        for (const o of f.options) if (o.selected !== o.defaultSelected) return true
      } else if (f.value !== f.defaultValue) return true
    }
    return false
  }
  // refreshPanel shows the saved values of what the panel shows, unless the
  // user is working in it; their next change is merged on the server.
  const refreshPanel = () => {
    if (dirty() || panel.querySelector('[data-testid="conflict-panel"]')) return
    const shown = panel.querySelector('[data-node]')?.dataset.node
    const wire = panel.querySelector('[data-wire]')?.dataset.wire
    const el = shown ? document.getElementById('node-' + shown) : wire ? document.getElementById('wire-' + wire) : null
    if (el) transport.load(el)
  }

  // A conflict chosen leaves the panel; the last one shows the resource
  // again, as saved now.
  const settle = (section) => {
    const sel = section.querySelector('[data-select]')?.dataset.select
    section.remove()
    if (panel.querySelector('.conflict')) return
    delete panel.dataset.baseRevision
    const el = sel && document.getElementById(sel)
    if (el) transport.load(el)
  }
  document.body.addEventListener('htmx:afterRequest', (e) => {
    const section = e.detail.elt?.closest?.('.conflict')
    if (section && e.detail.successful) settle(section)
  })
  panel.addEventListener('click', (e) => {
    const keep = e.target.closest('[data-testid="keep-saved"]')
    if (!keep) return
    e.stopPropagation()
    settle(keep.closest('.conflict'))
  })

  function sync () {
    if (syncing || edits > 0 || pressed || head === editor.dataset.revision) return
    syncing = true
    const since = editor.dataset.revision
    htmx.ajax('GET', editor.dataset.changesUrl + '?since=' + encodeURIComponent(since), { source: presenceEl, swap: 'none' })
      .finally(() => { syncing = false; sync() })
  }
  document.body.addEventListener('htmx:beforeSwap', (e) => {
    if (e.detail.elt !== presenceEl || e.detail.requestConfig?.verb !== 'get') return
    // An edit answered meanwhile: this answer is about a revision the page
    // has left.
    const since = new URL(e.detail.requestConfig.path, location.href).searchParams.get('since')
    if (since !== editor.dataset.revision) e.detail.shouldSwap = false
  })
  document.body.addEventListener('htmx:afterRequest', (e) => {
    if (e.detail.elt !== presenceEl || !e.detail.successful) return
    const since = new URL(e.detail.requestConfig.path, location.href).searchParams.get('since')
    const rev = e.detail.xhr?.getResponseHeader('X-Switchboard-Revision')
    if (rev && since === editor.dataset.revision) {
      editor.dataset.revision = rev
      refreshPanel()
    }
  })

  // Presence: the other views, and an outline of each one's selection.
  const showPeers = () => {
    document.querySelectorAll('.peer-selected').forEach((el) => {
      el.classList.remove('peer-selected')
      for (const cls of [...el.classList]) if (cls.startsWith('peer-')) el.classList.remove(cls)
    })
    for (const p of peers) {
      const el = p.selected && document.getElementById(p.selected)
      if (el) el.classList.add('peer-selected', 'peer-' + p.color)
    }
    const n = peers.length
    presenceEl.hidden = n === 0
    presenceEl.textContent = n === 1 ? '1 other view' : `${n} other views`
    presenceEl.title = n === 0 ? '' : 'This stack is open elsewhere too; their selections are outlined.'
  }
  document.body.addEventListener('htmx:afterSettle', showPeers)
  htmx.onLoad(() => showPeers())

  let told = null
  const tell = () => {
    const sel = document.querySelector('#world .selected')?.id || ''
    if (sel === told) return
    told = sel
    fetch(editor.dataset.presenceUrl, { method: 'POST', body: new URLSearchParams({ view, selected: sel }), headers: { 'HX-Request': 'true' } }).catch(() => {})
  }
  new MutationObserver(() => queueMicrotask(tell)).observe(document.getElementById('world'), { subtree: true, attributes: true, attributeFilter: ['class'] })

  const source = new EventSource(editor.dataset.liveUrl + '?view=' + view)
  source.addEventListener('revision', (e) => {
    head = e.data
    sync()
  })
  source.addEventListener('presence', (e) => {
    peers = JSON.parse(e.data)
    showPeers()
  })
  source.addEventListener('open', () => { told = null; tell() })
  window.addEventListener('pagehide', () => source.close())
}
