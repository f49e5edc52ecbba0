// Transport: every request the canvas makes, through htmx so the revision
// header, the queue and the error toast apply. It knows no routes: every
// URL comes from a data-* attribute the server rendered.

export function createTransport (htmx, editor, history) {
  const tools = () => document.getElementById('canvas-tools')
  const ends = (els) => ({
    node: els.filter((el) => el.dataset.node).map((el) => el.dataset.node),
    wire: els.filter((el) => el.dataset.wire).map((el) => el.dataset.wire)
  })
  return {
    // load shows the panel of a node or wire.
    load (el) { return htmx.ajax('GET', el.dataset.url, { target: '#panel', swap: 'innerHTML' }) },
    saveMove (el) {
      el.classList.add('saving')
      return htmx.ajax('POST', el.dataset.moveUrl, { source: el, values: { x: el.dataset.x, y: el.dataset.y }, swap: 'none' })
        .finally(() => el.classList.remove('saving'))
    },
    create (item, at) {
      // A generic node's palette item (the picker's) names its type too.
      const type = item.dataset.type ? { type: item.dataset.type } : {}
      return htmx.ajax('POST', editor.dataset.createUrl, { source: item, values: { kind: item.dataset.kind, ...type, x: at.x, y: at.y }, swap: 'none' })
    },
    connect (from, to) {
      return htmx.ajax('POST', editor.dataset.connectUrl, { source: editor, values: { from, to }, swap: 'none' })
    },
    remove (el) { return htmx.ajax('DELETE', el.dataset.url, { source: el, target: '#panel', swap: 'innerHTML' }) },
    // The selection's edits (canvas/multiselect.js); their URLs are on
    // #canvas-tools. Each is one revision.
    saveMoves (els) {
      const values = { node: [], x: [], y: [] }
      for (const el of els) {
        values.node.push(el.dataset.node)
        values.x.push(el.dataset.x)
        values.y.push(el.dataset.y)
      }
      return htmx.ajax('POST', tools().dataset.moveUrl, { source: editor, values, swap: 'none' })
    },
    removeMany (els) { return htmx.ajax('POST', tools().dataset.deleteUrl, { source: editor, values: ends(els), swap: 'none' }) },
    duplicate (els) { return htmx.ajax('POST', tools().dataset.duplicateUrl, { source: editor, values: ends(els), swap: 'none' }) },
    paste (fragment, at) {
      const values = { fragment }
      if (at) Object.assign(values, { x: Math.round(at.x), y: Math.round(at.y) })
      return htmx.ajax('POST', tools().dataset.pasteUrl, { source: editor, values, swap: 'none' })
    },
    // fragment answers the nodes as the clipboard carries them: a GET, so
    // no revision and no queue.
    async fragment (els) {
      const q = new URLSearchParams()
      for (const el of els) if (el.dataset.node) q.append('node', el.dataset.node)
      const res = await fetch(tools().dataset.fragmentUrl + '?' + q, { headers: { 'HX-Request': 'true' } })
      if (!res.ok) throw new Error(await res.text())
      return res.text()
    },
    // arrange saves every node's position ({id: [x, y]}) as one revision.
    arrange (positions) {
      return htmx.ajax('POST', editor.dataset.arrangeUrl, { source: editor, values: { positions: JSON.stringify(positions) }, swap: 'none' })
    },
    undo () { if (history.can('undo')) htmx.ajax('POST', editor.dataset.undoUrl, { source: editor, swap: 'none' }) },
    redo () { if (history.can('redo')) htmx.ajax('POST', editor.dataset.redoUrl, { source: editor, swap: 'none' }) }
  }
}

// initQueue sends the page's edits one at a time, each carrying the revision
// the previous one produced: a second drag finished before the first is
// saved must not look like an edit from a stale tab.
export function initQueue (editor) {
  let inflight = 0
  const waiting = []
  const isEdit = (verb) => verb && verb.toLowerCase() !== 'get'
  const next = () => {
    if (inflight > 0) return
    const issue = waiting.shift()
    if (!issue) return
    issue(false)
    // A request declined at its confirm question never starts.
    setTimeout(() => { if (inflight === 0) next() }, 0)
  }
  document.body.addEventListener('htmx:confirm', (e) => {
    if (!isEdit(e.detail.verb)) return
    if (inflight === 0 && waiting.length === 0) return
    e.preventDefault()
    waiting.push(e.detail.issueRequest)
  })
  document.body.addEventListener('htmx:beforeRequest', (e) => {
    if (isEdit(e.detail.requestConfig?.verb)) inflight++
  })
  document.body.addEventListener('htmx:configRequest', (e) => {
    if (editor && isEdit(e.detail.verb)) e.detail.headers['X-Base-Revision'] = editor.dataset.revision
  })
  document.body.addEventListener('htmx:afterRequest', (e) => {
    if (isEdit(e.detail.requestConfig?.verb)) {
      // Only edits answer with the canvas they produced, so only they may
      // move the revision this page edits from.
      const rev = e.detail.xhr?.getResponseHeader('X-Switchboard-Revision')
      if (rev && editor) editor.dataset.revision = rev
      inflight = Math.max(0, inflight - 1)
      next()
    }
  })
}
