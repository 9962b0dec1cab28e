// The resend timer of the code pages: a button carrying data-resend-in (seconds) stays disabled and
// counts down until a new code may be asked for. Without script the button works and the gateway
// answers "wait N seconds" when pressed too early.
for (const button of document.querySelectorAll('[data-resend-in]')) {
  const label = button.textContent;
  const until = Date.now() + Number(button.getAttribute('data-resend-in')) * 1000;
  const template = button.getAttribute('data-wait-label') || '{s}';
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      button.disabled = false;
      button.textContent = label;
      return;
    }
    button.disabled = true;
    button.textContent = template.replace('{s}', String(left));
    setTimeout(tick, 1000);
  };
  tick();
}
