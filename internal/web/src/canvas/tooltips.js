// A name cut short by its box (text-overflow: ellipsis) shows in full as a
// tooltip; one that fits has none. Screen readers already get the full name
// from the node's aria-label.
const TRUNCATABLE = '.node-name, .route-key, .node-body, .stack-title'

export function initTooltips (editor) {
  editor.addEventListener('pointerover', (e) => {
    const el = e.target.closest?.(TRUNCATABLE)
    if (!el) return
    if (el.scrollWidth > el.clientWidth) el.title = el.textContent.trim()
    else el.removeAttribute('title')
  })
}
