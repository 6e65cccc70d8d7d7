// /no-code: the global callback that the no-code mount names in data-on-complete. It shows the
// result with textContent and offers to let the shop's server verify the payment.

/** @param {import('../../protocol/messages.ts').ConfirmResult} result */
function onPaid(result) {
  const box = document.getElementById('result');
  const text = document.getElementById('result-text');
  const form = /** @type {HTMLFormElement} */ (document.getElementById('confirm-form'));
  box.hidden = false;
  box.classList.toggle('result-failed', result.status !== 'succeeded');
  if (result.status === 'succeeded') {
    const card = result.card;
    text.textContent = `Approved: ${card.brand} •••• ${card.last4}${result.saved ? ', saved for next time' : ''}. Session ${result.session}.`;
    form.elements.namedItem('session').value = result.session;
    form.hidden = false;
  } else {
    text.textContent = `Not paid: ${result.error.message} (${result.error.code}). You can try again.`;
    form.hidden = true;
  }
}

window.onPaid = onPaid;
