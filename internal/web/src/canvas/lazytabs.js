// The Template and Problems tabs load when shown, not on every edit: on a
// large stack the template is most of a megabyte. An edit (stackChanged)
// marks them stale; a stale one refreshes when it is shown, or at once if
// it is showing. Each is a [data-lazy] element with hx-trigger="refresh"
// inside a .tab-panel.
export function initLazyTabs (htmx, editor) {
  const lazy = [...editor.querySelectorAll('[data-lazy]')]
  const shown = (el) => !el.closest('.tab-panel')?.hidden
  const refresh = (el) => {
    if (!shown(el)) {
      el.dataset.stale = 'true'
      return
    }
    delete el.dataset.stale
    htmx.trigger(el, 'refresh')
  }
  document.body.addEventListener('stackChanged', () => lazy.forEach(refresh))
  const onShow = new MutationObserver((records) => {
    for (const r of records) {
      r.target.querySelectorAll('[data-lazy][data-stale]').forEach((el) => { if (shown(el)) refresh(el) })
    }
  })
  lazy.forEach((el) => {
    const panel = el.closest('.tab-panel')
    if (panel) onShow.observe(panel, { attributes: true, attributeFilter: ['hidden'] })
  })
}
