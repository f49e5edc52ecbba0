// What a screen reader hears when the canvas changes without the focus
// moving there, and keeping what was added in view: a node added from the
// palette lands near the middle of the viewport (the server finds a free
// spot near the point sent here) and the view follows it if it did not.

import { place } from './geometry.js'


const kindLabel = { api: 'WebSocket API', function: 'function', table: 'table' }

export function initAnnouncements (c) {
  const body = document.body
  const { viewport, view, announce } = c
  // A palette click or Enter asks for a spot near the middle of the view.
  body.addEventListener('htmx:configRequest', (e) => {
    const item = e.detail.elt?.closest?.('.palette-item')
    if (!item || e.detail.parameters.x != null) return
    const r = viewport.getBoundingClientRect()
    const p = view.toWorld(r.left + r.width / 2, r.top + r.height / 2)
    e.detail.parameters.nearX = String(Math.round(p.x))
    e.detail.parameters.nearY = String(Math.round(p.y))
  })
  // reveal pans the view until el is inside it.
  function reveal (el) {
    place(el) // it may have arrived before the swap's layout placed it
    const r = viewport.getBoundingClientRect()
    const b = el.getBoundingClientRect()
    if (b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom) return
    const v = view.get()
    view.set({ ...v, x: v.x + (r.left + r.width / 2) - (b.left + b.width / 2), y: v.y + (r.top + r.height / 2) - (b.top + b.height / 2) })
  }
  let pending = []
  const after = (test, then) => { pending.push({ test, then }); setTimeout(flush, 0) }
  function flush () {
    pending = pending.filter((p) => {
      const el = p.test()
      if (el) p.then(el)
      return !el
    })
  }
  body.addEventListener('htmx:afterSettle', flush)
  body.addEventListener('nodeCreated', (e) => after(() => document.getElementById('node-' + e.detail.id), (el) => {
    reveal(el)
    announce(`Added ${kindLabel[el.dataset.kind] ?? el.dataset.kind} ${el.dataset.name}. Press W on it to connect it.`)
  }))
  body.addEventListener('wireCreated', (e) => after(() => document.querySelector(`#panel [data-wire="${CSS.escape(e.detail.id)}"] p`), (p) => {
    announce(`Wire added: ${p.textContent}.`)
  }))
  body.addEventListener('nodesPasted', (e) => {
    const n = e.detail.ids.length
    after(() => document.getElementById('node-' + e.detail.ids[0]), (el) => {
      reveal(el)
      announce(n === 1 ? `Pasted ${el.dataset.name}.` : `Pasted ${n} resources.`)
    })
  })
  body.addEventListener('selectionDeleted', () => announce('Deleted the selection.'))
  body.addEventListener('nodeDeleted', () => announce('Deleted.'))
}
