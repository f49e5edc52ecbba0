// Messages to the user. Only errors are toasts, at the bottom of the
// window, going away by themselves; anything else is announced to screen
// readers and shown nowhere, since the page itself shows what happened.
export function showMessage (text, level = 'info') {
  if (!text) return
  if (level !== 'error') return announce(text)
  const box = document.getElementById('toasts')
  if (!box) return
  const el = document.createElement('div')
  el.className = `toast toast-${level}`
  el.setAttribute('role', 'alert')
  el.dataset.testid = 'toast'
  el.textContent = text
  const close = document.createElement('button')
  close.type = 'button'
  close.className = 'toast-close'
  close.setAttribute('aria-label', 'Dismiss')
  close.textContent = '×'
  close.addEventListener('click', () => el.remove())
  el.append(close)
  box.append(el)
  setTimeout(() => el.remove(), 8000)
}

// announce says text through the page's polite live region (#announcer),
// which takes no room. Emptied first, so the same words twice are spoken
// twice.
export function announce (text) {
  const region = document.getElementById('announcer')
  if (!region) return
  region.textContent = ''
  requestAnimationFrame(() => { region.textContent = text })
}
