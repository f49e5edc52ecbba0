// Selection lives here, by element id (node-… or wire-…), and is reapplied
// after each swap; it follows what the server says happened.

export function createSelection (editor, transport) {
  let selected = null

  function apply () {
    document.querySelectorAll('.selected').forEach((el) => { if (el.id !== selected) el.classList.remove('selected') })
    const el = selected && document.getElementById(selected)
    if (el) el.classList.add('selected')
  }
  function showTab (id) {
    editor.querySelectorAll('[data-tab]').forEach((t) => t.setAttribute('aria-selected', String(t.dataset.tab === id)))
    editor.querySelectorAll('.tab-panel').forEach((p) => { p.hidden = p.id !== id })
  }
  function select (id, { load = true, focus = true } = {}) {
    selected = id
    apply()
    const el = id && document.getElementById(id)
    if (!el) {
      selected = null
      return
    }
    if (focus) el.focus({ preventScroll: true })
    if (load) {
      showTab('panel')
      transport.load(el)
    }
  }
  function clear () {
    selected = null
    apply()
  }
  function removeSelected () {
    const el = selected && document.getElementById(selected)
    if (!el) return
    const what = el.classList.contains('node') ? `${el.dataset.name} and its wires` : 'this wire'
    if (!window.confirm(`Delete ${what}?`)) return
    transport.remove(el)
  }

  const body = document.body
  // HX-Trigger events fire before the swap that brings the new element,
  // so its selection waits for the element to arrive.
  let pending = null
  const selectPending = () => {
    if (pending && document.getElementById(pending.id)) {
      const p = pending
      pending = null
      select(p.id, p.opts)
    }
  }
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
  body.addEventListener('nodeDeleted', () => { selected = null })
  body.addEventListener('wireDeleted', () => { selected = null })
  body.addEventListener('stackReloaded', () => {
    if (selected && document.getElementById(selected)) select(selected, { focus: false })
    else selected = null
  })

  return { get: () => selected, select, clear, apply, showTab, removeSelected }
}
