// Selection lives here, by element id (node-… or wire-…), and is reapplied
// after each swap; it follows what the server says happened. One element is
// the primary selection, whose panel shows; shift-click and box-select add
// more (canvas/multiselect.js), which move, delete and copy together.

export function createSelection (editor, transport) {
  let selected = null
  let many = new Set()

  const present = (id) => id && document.getElementById(id)
  function apply () {
    document.querySelectorAll('.selected').forEach((el) => { if (!many.has(el.id)) el.classList.remove('selected') })
    for (const id of many) document.getElementById(id)?.classList.add('selected')
  }
  function showTab (id) {
    editor.querySelectorAll('[data-tab]').forEach((t) => t.setAttribute('aria-selected', String(t.dataset.tab === id)))
    editor.querySelectorAll('.tab-panel').forEach((p) => { p.hidden = p.id !== id })
  }
  function select (id, { load = true, focus = true } = {}) {
    selected = id
    many = new Set(id ? [id] : [])
    apply()
    const el = present(id)
    if (!el) {
      selected = null
      many.clear()
      return
    }
    if (focus) el.focus({ preventScroll: true })
    if (load) {
      showTab('panel')
      transport.load(el)
    }
  }
  // showMany puts what a selection of many can do in the panel, in place
  // of one node's properties.
  function showMany () {
    const panel = document.getElementById('panel')
    if (!panel || many.size < 2) return
    const box = document.createElement('div')
    box.className = 'panel-empty'
    box.dataset.testid = 'many-panel'
    const p = document.createElement('p')
    p.textContent = `${many.size} selected.`
    const hint = document.createElement('p')
    hint.className = 'hint'
    hint.textContent = 'Drag one to move them all. Ctrl+C copies, Ctrl+D duplicates, Delete removes them; right-click or Shift+F10 for the menu.'
    box.append(p, hint)
    panel.replaceChildren(box)
  }
  // toggle adds an element to the selection or takes it out (shift-click).
  function toggle (id) {
    if (!present(id)) return
    if (many.has(id)) {
      many.delete(id)
      if (selected === id) selected = [...many].pop() ?? null
    } else {
      many.add(id)
      selected = id
    }
    apply()
    if (many.size === 1) select(selected)
    else showMany()
  }
  // selectMany replaces the selection with the elements (box-select,
  // select all, what a paste added).
  function selectMany (ids, { focus = false } = {}) {
    ids = ids.filter(present)
    if (ids.length <= 1) return select(ids[0] ?? null, { focus })
    many = new Set(ids)
    selected = ids[ids.length - 1]
    apply()
    showMany()
    if (focus) document.getElementById(selected).focus({ preventScroll: true })
  }
  function clear () {
    selected = null
    many.clear()
    apply()
  }
  // all lists the selected elements that are still on the page.
  const all = () => [...many].filter(present)
  const nodes = () => all().filter((id) => id.startsWith('node-')).map((id) => document.getElementById(id))
  function removeSelected () {
    const els = all().map((id) => document.getElementById(id))
    if (els.length === 0) return
    if (els.length > 1) {
      if (!window.confirm(`Delete ${els.length} selected resources and wires?`)) return
      return transport.removeMany(els)
    }
    const el = els[0]
    const what = el.classList.contains('node') ? `${el.dataset.name} and its wires` : 'this wire'
    if (!window.confirm(`Delete ${what}?`)) return
    transport.remove(el)
  }

  const body = document.body
  // HX-Trigger events fire before the swap that brings the new element,
  // so its selection waits for the element to arrive.
  let pending = null
  let pendingMany = null
  const selectPending = () => {
    if (pending && document.getElementById(pending.id)) {
      const p = pending
      pending = null
      select(p.id, p.opts)
    }
    if (pendingMany && pendingMany.every(present)) {
      const ids = pendingMany
      pendingMany = null
      selectMany(ids, { focus: true })
    }
  }
  body.addEventListener('nodesPasted', (e) => {
    pendingMany = e.detail.ids.map((id) => 'node-' + id)
    setTimeout(selectPending, 0)
  })
  body.addEventListener('nodeCreated', (e) => {
    showTab('panel')
    pending = { id: 'node-' + e.detail.id, opts: { load: false } }
    setTimeout(selectPending, 0)
  })
  body.addEventListener('wireCreated', (e) => {
    showTab('panel')
    pending = { id: 'wire-' + e.detail.id, opts: { load: false, focus: false } }
    setTimeout(selectPending, 0)
  })
  body.addEventListener('htmx:afterSettle', selectPending)
  body.addEventListener('nodeDeleted', clear)
  body.addEventListener('wireDeleted', clear)
  body.addEventListener('selectionDeleted', clear)
  body.addEventListener('stackReloaded', () => {
    if (selected && document.getElementById(selected)) select(selected, { focus: false })
    else clear()
  })

  return { get: () => selected, all, nodes, has: (id) => many.has(id), select, toggle, selectMany, clear, apply, showTab, removeSelected }
}
