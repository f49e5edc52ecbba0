// Making a wire from the keyboard: on a focused node, W (or Connect… in the
// context menu) opens a dialog listing where a wire may start on that node
// (its routes, or the function itself) and the nodes it may go to. Which
// kinds connect is model.WireRules, rendered on #canvas-tools; the server
// still decides and refuses with the reason, as for a drag.

const kindLabel = { api: 'WebSocket API', function: 'Function', table: 'Table', queue: 'Queue', topic: 'Topic', statemachine: 'State machine', layer: 'Layer', usageplan: 'Usage plan', domain: 'Custom domain' }

export function createConnect (c) {
  const dialog = document.getElementById('connect-dialog')
  const fromSel = document.getElementById('connect-from')
  const toSel = document.getElementById('connect-to')
  if (!dialog) return { open () {} }
  const rules = JSON.parse(document.getElementById('canvas-tools').dataset.wireRules || '[]')
  let source = null

  // starts lists where a wire may begin on node: each route of an API, or
  // the node itself when a rule starts at its kind.
  function starts (node) {
    const out = []
    for (const route of node.querySelectorAll('[data-route]')) {
      out.push({ id: route.dataset.route, kind: 'route', label: `route ${route.querySelector('.route-key')?.textContent ?? ''}`, node })
    }
    if (rules.some((r) => r.from === node.dataset.kind)) out.push({ id: node.dataset.node, kind: node.dataset.kind, label: node.dataset.name, node })
    return out
  }
  const wired = (a, b) => {
    const [x, y] = [CSS.escape(a), CSS.escape(b)]
    return !!document.querySelector(`#wires svg[data-from-node="${x}"][data-to-node="${y}"], #wires svg[data-from-node="${y}"][data-to-node="${x}"]`)
  }
  function fillTargets () {
    const start = starts(source)[fromSel.selectedIndex]
    toSel.replaceChildren()
    if (!start) return
    for (const n of document.querySelectorAll('#nodes .node')) {
      if (n === source) continue
      // A function already wired to the node needs no second wire. The
      // drawing may run a wire either way (send wires are drawn from the
      // API), so both ways are looked for.
      if (start.kind !== 'route' && wired(start.id, n.dataset.node)) continue
      const kinds = rules.filter((r) => r.from === start.kind && r.to === n.dataset.kind).map((r) => r.kind)
      if (kinds.length === 0) continue
      const o = new Option(`${kindLabel[n.dataset.kind] ?? n.dataset.kind} ${n.dataset.name} (${kinds[0]})`, n.dataset.node)
      toSel.append(o)
    }
    if (toSel.options.length > 0) toSel.selectedIndex = 0
  }
  function open () {
    const nodes = c.selection.nodes()
    source = nodes.length === 1 ? nodes[0] : document.activeElement?.closest?.('.node')
    if (!source) return c.announce('Select one node to connect from.')
    const list = starts(source)
    if (list.length === 0) return c.announce(`Wires start at a route, a function, a queue or a topic, not at ${source.dataset.name}.`)
    fromSel.replaceChildren(...list.map((s) => new Option(s.label, s.id)))
    fillTargets()
    dialog.showModal()
    ;(list.length > 1 ? fromSel : toSel).focus()
  }
  fromSel.addEventListener('change', fillTargets)
  dialog.querySelector('[data-connect-cancel]').addEventListener('click', () => dialog.close())
  dialog.addEventListener('close', () => source?.isConnected && source.focus({ preventScroll: true }))
  dialog.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault()
    const from = fromSel.value
    const to = toSel.value
    if (!from || !to) return
    dialog.close()
    c.transport.connect(from, to) // wireCreated announces it
  })
  // Enter in the list, or a double click on a choice, connects.
  toSel.addEventListener('dblclick', () => dialog.querySelector('form').requestSubmit())
  toSel.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return
    e.preventDefault()
    dialog.querySelector('form').requestSubmit()
  })
  return { open }
}
