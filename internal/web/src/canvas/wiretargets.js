// While a wire is drawn, only the nodes it may end on light up. What may be
// wired is model.WireRules, which the server renders on #editor as
// data-wire-rules ([{kind, from, to}]): the script holds no copy of it.
export function createWireTargets (editor) {
  let rules = []
  try { rules = JSON.parse(editor.dataset.wireRules || '[]') } catch (_) { /* none: nothing lights */ }
  const nodes = () => document.querySelectorAll('#nodes .node')
  // A port on a route row starts a route's wire; any other, its node's.
  const sourceKind = (port) => port.closest('.route') ? 'route' : port.closest('.node')?.dataset.kind
  const clearOver = () => document.querySelectorAll('.node.drop-target').forEach((n) => n.classList.remove('drop-target'))
  return {
    // show marks every node a wire from port may end on, and dims the rest.
    show (port) {
      const from = sourceKind(port)
      const self = port.closest('.node')
      const kinds = new Set(rules.filter((r) => r.from === from).map((r) => r.to))
      nodes().forEach((n) => {
        const ok = n !== self && kinds.has(n.dataset.kind)
        n.classList.toggle('wire-target', ok)
        n.classList.toggle('wire-excluded', !ok)
      })
    },
    // over highlights node, the one under the pointer, if the wire may end
    // there.
    over (node) {
      clearOver()
      if (node?.classList.contains('wire-target')) node.classList.add('drop-target')
    },
    hide () {
      clearOver()
      nodes().forEach((n) => n.classList.remove('wire-target', 'wire-excluded'))
    }
  }
}
