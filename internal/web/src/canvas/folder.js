// The working folder's offer (server/folder.go): every few seconds, while
// the page is visible, ask whether template.yaml or switchboard.json in
// the stack's working folder changed on disk; the answer is the offer to
// load them (or none), and 204 when the page shows that answer already,
// so an unchanged folder costs one small request and no redraw.
//
// This asks rather than listens: once the stack's live updates (server-sent
// events, issue 15 item 1) carry a folder event, that can trigger the
// same request instead of the timer.

const EVERY_MS = 1500

export function initFolderOffer (htmx) {
  const box = document.getElementById('folder-offer')
  if (!box || !box.dataset.url) return
  let busy = false
  const ask = async () => {
    if (busy || document.hidden) return
    busy = true
    try {
      const key = box.querySelector('[data-offer-key]')?.dataset.offerKey || ''
      const res = await fetch(box.dataset.url + '?seen=' + encodeURIComponent(key), { headers: { 'HX-Request': 'true' } })
      if (res.status !== 200) return
      const html = await res.text()
      // A click on the offer's buttons may have answered meanwhile.
      const now = box.querySelector('[data-offer-key]')?.dataset.offerKey || ''
      if (now !== key) return
      htmx.swap(box, html, { swapStyle: 'innerHTML' })
    } catch (_) {
      // The server is away; the edits' own requests say so.
    } finally {
      busy = false
    }
  }
  setInterval(ask, EVERY_MS)
  document.addEventListener('visibilitychange', ask)
  ask()
}
