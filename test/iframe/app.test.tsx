// <App> in happy-dom against the real vault in-process: only the network edge is bridged.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CARDS, SHOP, VAULT, newCard, openSession, type TestVault } from '../helpers/test-vault.ts';
import { $, blur, focus, frameCall, mountApp, routeFetchTo, saveCard, startVault, tick, type, type Mounted, type SentRequest } from './vault-harness.tsx';

let v: TestVault;
let net: { sent: SentRequest[]; restore: () => void };
let mounted: Mounted[] = [];
let serial = 0;
const fresh = (label: string) => `app-${label}-${++serial}`;
const nextYear = String((new Date().getUTCFullYear() + 2) % 100).padStart(2, '0');

beforeAll(async () => {
  v = await startVault();
  net = routeFetchTo(v);
});
afterAll(async () => {
  net.restore();
  await v.close();
});
afterEach(() => {
  for (const m of mounted) m.unmount();
  mounted = [];
});

async function open(body: Record<string, unknown> = {}, params: Parameters<typeof mountApp>[1] = {}) {
  const s = await openSession(v, body);
  const m = await mountApp(s.secret, params);
  mounted.push(m);
  return { ...m, session: s.id, secret: s.secret };
}

async function fillCard(root: ParentNode, number: string, expiry = `12/${nextYear}`, cvc = number.startsWith('37') ? '1234' : '123') {
  await type($(root, '#cv-number'), number);
  await type($(root, '#cv-expiry'), expiry);
  await type($(root, '#cv-cvc'), cvc);
}

const labelOf = (root: ParentNode, id: string) => root.querySelector(`label[for="${id}"]`)?.textContent;
const errorOf = (root: ParentNode, id: string) => {
  const input = $(root, `#${id}`);
  return document.getElementById(input.getAttribute('aria-describedby')!)?.textContent ?? null;
};

describe('saved cards', () => {
  it('lists a saved card masked as BIN••••••last4 with its brand and expiry, chosen, with its CVC field', async () => {
    const customer = fresh('mask');
    await saveCard(v, customer);
    const { container } = await open({ customer });
    const item = container.querySelector('.cv-saved-card')!;
    expect(item.querySelector('.cv-masked')?.textContent).toBe('424242••••••4242');
    expect(item.querySelector('.cv-brand')?.textContent).toBe('Visa');
    expect(item.querySelector('.cv-expires')?.textContent).toMatch(/^Expires 12\/\d\d$/);
    expect(container.textContent).not.toContain(CARDS.visa);
    expect($(container, '#cv-card-0').checked).toBe(true);
    // A screen reader hears the card, not the mask's dots.
    expect($(container, '#cv-card-0').getAttribute('aria-label')).toMatch(/^Visa ending in 4242, expires 12\/\d\d$/);
    expect(labelOf(container, 'cv-saved-cvc')).toBe('Security code for Visa \u2066424242••••••4242\u2069');
    expect($(container, '#cv-saved-cvc').getAttribute('maxlength')).toBe('3');
  });

  it("names each brand as customers know it: in the card's label, its security code's and the delete question's", async () => {
    const customer = fresh('brands');
    await saveCard(v, customer, CARDS.amex);
    await saveCard(v, customer, CARDS.mastercard);
    const { container } = await open({ customer });
    const label = (i: number) => document.getElementById(`cv-card-${i}-label`)?.textContent;
    expect(label(0)).toMatch(/^American Express378282••••••0005Expires \d\d\/\d\d$/);
    expect(label(1)).toMatch(/^Mastercard555555••••••4444Expires/);
    expect(labelOf(container, 'cv-saved-cvc')).toBe('Security code for American Express \u2066378282••••••0005\u2069');
    expect($(container, '#cv-saved-cvc').getAttribute('maxlength')).toBe('4');

    container.querySelectorAll('.cv-saved-card')[1].querySelector<HTMLButtonElement>('button')!.click();
    await tick();
    // The question's answers are described by the card they would delete.
    const yes = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Yes, delete')!;
    expect(document.getElementById(yes.getAttribute('aria-describedby')!)?.getAttribute('aria-label')).toMatch(/^Mastercard ending in 4444/);
  });

  it('puts the default card first and shows the CVC field only under the chosen card', async () => {
    const customer = fresh('default');
    await saveCard(v, customer, CARDS.visa);
    const second = await saveCard(v, customer, CARDS.mastercard);
    await v.api('POST', `/v1/customers/${customer}/cards/${second}`, { body: { default: true } });
    const { container } = await open({ customer });
    const masks = [...container.querySelectorAll('.cv-masked')].map((e) => e.textContent);
    expect(masks).toEqual(['555555••••••4444', '424242••••••4242']);
    expect($(container, '#cv-card-0').checked).toBe(true);
    expect(container.querySelectorAll('#cv-saved-cvc')).toHaveLength(1);
    expect(container.querySelectorAll('.cv-saved-card')[0].contains($(container, '#cv-saved-cvc'))).toBe(true);

    $(container, '#cv-card-1').click();
    await tick();
    expect(container.querySelectorAll('.cv-saved-card')[1].contains($(container, '#cv-saved-cvc'))).toBe(true);
  });

  it('pays one-click with the chosen card and its CVC', async () => {
    const customer = fresh('oneclick');
    const token = await saveCard(v, customer);
    const { container, controller, events } = await open({ customer, amount: 1500 });
    const failed = await controller.current!.confirm();
    expect(failed).toMatchObject({ status: 'failed', error: { type: 'card_error', code: 'invalid_cvc' } });
    expect(errorOf(container, 'cv-saved-cvc')).toBe('The security code is not valid.');

    await type($(container, '#cv-saved-cvc'), '123');
    expect(events.at(-1)).toEqual({ type: 'change', detail: { complete: true, empty: false, brand: 'visa' } });
    const result = await controller.current!.confirm();
    expect(result).toMatchObject({ status: 'succeeded', charge: expect.stringMatching(/^ch_/), card: { token, brand: 'visa', last4: '4242' }, saved: false });
  });

  it('deletes a card only after an inline yes, then offers a new card', async () => {
    const customer = fresh('delete');
    await saveCard(v, customer);
    const { container } = await open({ customer });
    const del = () => [...container.querySelectorAll('button')].find((b) => b.textContent === 'Delete')!;

    del().click();
    await tick();
    expect(container.querySelector('.cv-delete-confirm')?.textContent).toContain('Delete this card?');
    expect(document.activeElement?.textContent).toBe('No');
    (document.activeElement as HTMLButtonElement).click();
    await tick();
    expect(container.querySelector('.cv-delete-confirm')).toBeNull();
    expect((await v.api('GET', `/v1/customers/${customer}/cards`)).body.data).toHaveLength(1);

    del().click();
    await tick();
    [...container.querySelectorAll('button')].find((b) => b.textContent === 'Yes, delete')!.click();
    // The deletion's round trip to the vault, however long a busy machine takes for it.
    await vi.waitFor(() => expect(container.querySelector('.cv-saved')).toBeNull());
    expect((await v.api('GET', `/v1/customers/${customer}/cards`)).body.data).toEqual([]);
    expect($(container, '#cv-number')).not.toBeNull();
    const calls = net.sent.filter((r) => r.url.endsWith('/frame/v1/cards/delete'));
    expect(JSON.parse(calls.at(-1)!.body)).toEqual({ token: expect.stringMatching(/^card_/) });
  });

  it('says before deleting a card that its automatic payments end with it', async () => {
    const customer = fresh('agreement');
    const recurring = { min_amount: 500, max_amount: 2000, frequency_days: 30, end_date: `20${nextYear}-12-31` };
    const s = await openSession(v, { customer, amount: 1500, recurring });
    const paid = await frameCall(v, '/frame/v1/confirm', s.secret, { card: newCard(CARDS.visa), save: true, locale: 'en' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.mandate).toEqual(expect.any(String));
    const { container } = await open({ customer });
    [...container.querySelectorAll('button')].find((b) => b.textContent === 'Delete')!.click();
    await tick();
    expect(container.querySelector('.cv-delete-confirm')?.textContent).toContain('Delete this card? Its automatic payments end too.');
  });

  it('switches to a new card and back', async () => {
    const customer = fresh('switch');
    await saveCard(v, customer);
    const { container } = await open({ customer });
    [...container.querySelectorAll('button')].find((b) => b.textContent === '+ New card')!.click();
    await tick();
    expect($(container, '#cv-number')).not.toBeNull();
    [...container.querySelectorAll('button')].find((b) => b.textContent === 'Use a saved card')!.click();
    await tick();
    expect(container.querySelector('.cv-masked')?.textContent).toBe('424242••••••4242');
  });
});

describe('locales and labels', () => {
  it.each([
    ['ru', 'Номер карты', 'Срок действия', 'Код безопасности'],
    ['fr', 'Numéro de carte', 'Date d’expiration', 'Code de sécurité'],
    ['tr', 'Kart numarası', 'Son kullanma tarihi', 'Güvenlik kodu'],
  ] as const)('renders the %s labels', async (locale, number, expiry, cvc) => {
    const { container } = await open({}, { locale });
    expect(labelOf(container, 'cv-number')).toBe(number);
    expect(labelOf(container, 'cv-expiry')).toBe(expiry);
    expect(labelOf(container, 'cv-cvc')).toBe(cvc);
  });

  it("uses the merchant's labels over the locale's", async () => {
    const { container } = await open({}, { locale: 'fr', labels: { number: 'Votre carte', pay: 'Régler {amount}' }, submitButton: true });
    expect(labelOf(container, 'cv-number')).toBe('Votre carte');
    expect(container.querySelector('.cv-submit')?.textContent).toMatch(/^Régler 19,99\s\$US$/);
  });
});

describe('the consent box', () => {
  it('is shown unchecked when the session asks, and the payment goes through without it', async () => {
    const customer = fresh('ask');
    const { container, controller } = await open({ customer });
    const box = $(container, '#cv-consent');
    expect(box.type).toBe('checkbox');
    expect(box.checked).toBe(false);
    expect(box.required).toBe(false);
    expect(labelOf(container, 'cv-consent')).toBe('Save this card for future payments');
    await fillCard(container, CARDS.visa);
    expect(await controller.current!.confirm()).toMatchObject({ status: 'succeeded', saved: false });
  });

  it('saves the card when ticked', async () => {
    const customer = fresh('tick');
    const { container, controller } = await open({ customer });
    await fillCard(container, CARDS.mastercard);
    $(container, '#cv-consent').click();
    await tick();
    expect(await controller.current!.confirm()).toMatchObject({
      status: 'succeeded',
      saved: true,
      card: { token: expect.stringMatching(/^card_/), brand: 'mastercard', last4: '4444' },
    });
    const body = JSON.parse(net.sent.filter((r) => r.url.endsWith('/frame/v1/confirm')).at(-1)!.body);
    expect(body).toMatchObject({ save: true });
    expect(body.consent_text).toBeUndefined();
  });

  it('must be ticked when the session requires it', async () => {
    const customer = fresh('require');
    const { container, controller } = await open({ customer, save_card: 'require' });
    await fillCard(container, CARDS.visa);
    expect($(container, '#cv-consent').required).toBe(true);
    const result = await controller.current!.confirm();
    expect(result).toEqual({ status: 'failed', error: { type: 'invalid_request_error', code: 'parameter_missing', message: 'Tick the box to continue.' } });
    expect($(container, '#cv-consent').getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(container, 'cv-consent')).toBe('Tick the box to continue.');
    expect(net.sent.filter((r) => r.url.endsWith('/frame/v1/confirm') && r.body.includes(customer))).toEqual([]);
  });

  it('names the recurring agreement: amounts, frequency and end date', async () => {
    const customer = fresh('recurring');
    const { container } = await open({
      customer,
      currency: 'EUR',
      recurring: { min_amount: 500, max_amount: 2500, frequency_days: 30, end_date: '2031-06-30' },
    });
    expect($(container, '#cv-consent').checked).toBe(false);
    expect(labelOf(container, 'cv-consent')).toBe(
      'Save this card and agree to recurring payments to “Test shop”: €5.00–€25.00 per payment, every 30 days, until June 30, 2031.',
    );
  });

  it("shows the vault's wording of the agreement in the fields' language, which no merchant label replaces, and the mandate records it", async () => {
    const customer = fresh('recurring-fr');
    const recurring = { min_amount: 500, max_amount: 2500, frequency_days: 30, end_date: '2031-06-30' };
    // A merchant tries to reword the agreement through every label it can name.
    const labels = { saveRecurring: 'Free trial, cancel any time', save: 'Free trial, cancel any time' } as never;
    const { container, controller } = await open({ customer, currency: 'EUR', recurring }, { locale: 'fr', labels });
    const shown = labelOf(container, 'cv-consent');
    expect(shown).toMatch(
      new RegExp(
        '^Enregistrer cette carte et accepter des paiements récurrents à « Test shop » : ' +
          '5,00\\s€–25,00\\s€ par paiement, tous les 30 jours, jusqu’au 30 juin 2031\\.$',
      ),
    );
    await fillCard(container, CARDS.visa);
    $(container, '#cv-consent').click();
    await tick();
    expect(await controller.current!.confirm()).toMatchObject({ status: 'succeeded', saved: true });
    const [mandate] = (await v.api('GET', `/v1/customers/${customer}/mandates`)).body.data;
    expect(mandate.consent.text).toBe(shown);
  });

  it('agrees "with this card" in the saved-card view and "saves this card" in the new-card view, and the mandate records the one shown', async () => {
    const customer = fresh('recurring-saved');
    await saveCard(v, customer);
    const recurring = { min_amount: 500, max_amount: 2500, frequency_days: 30, end_date: '2031-06-30' };
    const { container, controller } = await open({ customer, mode: 'setup', amount: undefined, recurring });
    const withSaved = 'Agree to recurring payments to “Test shop” with this card: $5.00–$25.00 per payment, every 30 days, until June 30, 2031.';
    expect(labelOf(container, 'cv-consent')).toBe(withSaved);
    [...container.querySelectorAll('button')].find((b) => b.textContent === '+ New card')!.click();
    await tick();
    expect(labelOf(container, 'cv-consent')).toBe(
      'Save this card and agree to recurring payments to “Test shop”: $5.00–$25.00 per payment, every 30 days, until June 30, 2031.',
    );
    [...container.querySelectorAll('button')].find((b) => b.textContent === 'Use a saved card')!.click();
    await tick();
    expect(labelOf(container, 'cv-consent')).toBe(withSaved);
    await type($(container, '#cv-saved-cvc'), '123');
    $(container, '#cv-consent').click();
    await tick();
    expect(await controller.current!.confirm()).toMatchObject({ status: 'succeeded', saved: false });
    const [mandate] = (await v.api('GET', `/v1/customers/${customer}/mandates`)).body.data;
    expect(mandate.consent.text).toBe(withSaved);
  });

  it('is not offered to a guest', async () => {
    const { container } = await open();
    expect(container.querySelector('#cv-consent')).toBeNull();
  });
});

describe('errors and accessibility', () => {
  it('gives every field a label, autofill and keyboard hints, and a polite error element', async () => {
    const { container } = await open();
    const expected = {
      'cv-number': { autocomplete: 'cc-number', inputmode: 'numeric' },
      'cv-expiry': { autocomplete: 'cc-exp', inputmode: 'numeric' },
      'cv-cvc': { autocomplete: 'cc-csc', inputmode: 'numeric' },
      'cv-holder': { autocomplete: 'cc-name', inputmode: 'text' },
    };
    for (const [id, attrs] of Object.entries(expected)) {
      const input = $(container, `#${id}`);
      expect(labelOf(container, id)).toBeTruthy();
      expect(input.getAttribute('autocomplete')).toBe(attrs.autocomplete);
      expect(input.getAttribute('inputmode')).toBe(attrs.inputmode);
      expect(input.getAttribute('name')).toBeTruthy();
      const error = document.getElementById(input.getAttribute('aria-describedby')!);
      expect(error?.getAttribute('aria-live')).toBe('polite');
    }
    expect(labelOf(container, 'cv-holder')).toBe('Name on card (optional)');
  });

  it('shows an error when the field is left, not while a valid value may still be typed', async () => {
    const { container, events } = await open();
    const number = $(container, '#cv-number');
    await focus(number);
    await type(number, '4242 42');
    expect(number.getAttribute('aria-invalid')).toBe('false');
    expect(errorOf(container, 'cv-number')).toBe('');

    await blur(number);
    expect(number.getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(container, 'cv-number')).toBe('The card number is incomplete.');
    expect(events.filter((e) => e.type === 'change').at(-1)).toMatchObject({
      detail: { error: { code: 'incomplete_number', message: 'The card number is incomplete.' } },
    });

    await focus(number);
    await type(number, '4242 4242 4242');
    expect(number.getAttribute('aria-invalid')).toBe('false');
    await type(number, '4242 4242 4242 4242');
    await blur(number);
    expect(errorOf(container, 'cv-number')).toBe('');

    const expiry = $(container, '#cv-expiry');
    await focus(expiry);
    await type(expiry, '13');
    expect(errorOf(container, 'cv-expiry')).toBe('');
    await blur(expiry);
    expect(errorOf(container, 'cv-expiry')).toBe('The expiry date is not valid.');
    await focus(expiry);
    await type(expiry, '01/20');
    expect(errorOf(container, 'cv-expiry')).toBe('This card has expired.');
  });

  it("keeps a mistyped number's error through a submit that focuses it, on the field and for the page, until it is changed", async () => {
    const { container, controller, events } = await open();
    const number = $(container, '#cv-number');
    await focus(number);
    await type(number, '4242 4242 4242 4241');
    await blur(number);
    const shown = 'This card number is not valid.';
    expect(errorOf(container, 'cv-number')).toBe(shown);
    for (let press = 0; press < 2; press++) {
      expect(await controller.current!.confirm()).toMatchObject({ status: 'failed', error: { code: 'invalid_number', message: shown } });
      // What a page does after a failed confirm(): back to the field that needs the customer.
      controller.current!.focus();
      await tick();
      expect(document.activeElement?.id).toBe('cv-number');
      expect(errorOf(container, 'cv-number')).toBe(shown);
      expect(events.filter((e) => e.type === 'change').at(-1)).toMatchObject({ detail: { error: { code: 'invalid_number', message: shown } } });
    }
    // Changing the number goes back to the typing rule: no error while it can still become valid.
    await type(number, '4242 4242 4242 424');
    expect(errorOf(container, 'cv-number')).toBe('');
  });

  it('formats the number by brand as it is typed', async () => {
    const { container } = await open();
    await type($(container, '#cv-number'), CARDS.amex);
    expect($(container, '#cv-number').value).toBe('3782 822463 10005');
    expect(container.querySelector('.cv-brand')?.textContent).toBe('amex');
    expect($(container, '#cv-cvc').getAttribute('maxlength')).toBe('4');
  });

  it('on a confirm with bad fields shows every error and resolves a card_error without calling the vault', async () => {
    const { container, controller } = await open();
    const before = net.sent.length;
    const result = await controller.current!.confirm();
    expect(result).toEqual({ status: 'failed', error: { type: 'card_error', code: 'invalid_number', message: 'The card number is incomplete.' } });
    await tick();
    for (const id of ['cv-number', 'cv-expiry', 'cv-cvc']) expect($(container, `#${id}`).getAttribute('aria-invalid')).toBe('true');
    expect($(container, '#cv-holder').getAttribute('aria-invalid')).toBe('false');
    expect(net.sent.length).toBe(before);
  });

  it('focuses the first field that needs input, and clears every field', async () => {
    const { container, controller, events } = await open();
    await type($(container, '#cv-number'), CARDS.visa);
    controller.current!.focus();
    expect(document.activeElement?.id).toBe('cv-expiry');
    await type($(container, '#cv-expiry'), `12${nextYear}`);
    await type($(container, '#cv-holder'), 'Ada Lovelace');
    controller.current!.clear();
    await tick();
    for (const id of ['cv-number', 'cv-expiry', 'cv-cvc', 'cv-holder']) expect($(container, `#${id}`).value).toBe('');
    expect(events.at(-1)).toEqual({ type: 'change', detail: { complete: false, empty: true, brand: 'unknown' } });
    controller.current!.focus();
    expect(document.activeElement?.id).toBe('cv-number');
  });

  it('tells the page when focus enters and leaves the fields as a whole', async () => {
    const { container, events } = await open();
    await focus($(container, '#cv-number'));
    await focus($(container, '#cv-expiry'));
    await blur($(container, '#cv-expiry'));
    await tick(5);
    expect(events.filter((e) => e.type === 'focus' || e.type === 'blur').map((e) => e.type)).toEqual(['focus', 'blur']);
  });
});

describe('confirming a new card', () => {
  it('sends the card only in the body of POST /frame/v1/confirm, with the session secret and the host origin', async () => {
    const { container, controller, events, secret } = await open({ amount: 4200 });
    const first = net.sent.length;
    await fillCard(container, CARDS.visa);
    await type($(container, '#cv-holder'), 'Ada Lovelace');
    const result = await controller.current!.confirm();
    expect(result).toMatchObject({
      status: 'succeeded',
      session: expect.stringMatching(/^cs_/),
      charge: expect.stringMatching(/^ch_/),
      card: { brand: 'visa', last4: '4242', exp_month: 12 },
      saved: false,
    });
    expect(JSON.stringify(result)).not.toContain('bin');

    const requests = net.sent.slice(first);
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual(['/frame/v1/confirm']);
    const [req] = requests;
    expect(req.url.startsWith(`${VAULT}/`)).toBe(true);
    expect(req.headers).toMatchObject({ authorization: `Bearer ${secret}`, 'checkout-host-origin': SHOP, 'content-type': 'application/json' });
    expect(JSON.parse(req.body)).toEqual({
      card: { number: CARDS.visa, exp_month: 12, exp_year: 2000 + Number(nextYear), cvc: '123', holder: 'Ada Lovelace' },
      save: false,
    });
    expect(net.sent.some((r) => r.url.includes(CARDS.visa) || r.url.includes('123&'))).toBe(false);
    expect(JSON.stringify(events)).not.toContain('4242424242');
    expect(JSON.stringify(events)).not.toContain('4242 4242');
    expect(container.querySelector('.cv-done')?.textContent).toBe('✓ Visa ••••4242');
    expect(await controller.current!.confirm()).toEqual(result);
  });

  it("shows a decline in the customer's words and resolves the vault's error", async () => {
    const { container, controller } = await open();
    await fillCard(container, CARDS.declined);
    const result = await controller.current!.confirm();
    expect(result).toEqual({ status: 'failed', error: { type: 'card_error', code: 'card_declined', message: expect.any(String) } });
    expect(container.querySelector('#cv-notice')?.textContent).toBe('The card was declined. Use another card.');
    expect($(container, '#cv-number').value).toBe('4000 0000 0000 0002');
  });

  it('tells the developer of a test-mode shop to use a test card when a real one is typed, then pays with 4242', async () => {
    const { container, controller } = await open();
    // A valid Visa number that is none of the test cards: refused before anything stores or charges it.
    await fillCard(container, '4012888888881881');
    const result = await controller.current!.confirm();
    // The page gets the contract's three fields; the vault's message says why.
    expect(result).toEqual({ status: 'failed', error: { type: 'card_error', code: 'card_declined', message: expect.stringContaining('test mode') } });
    expect(container.querySelector('#cv-notice')?.textContent).toBe('This shop is in test mode: use a test card.');
    $(container, '#cv-number').value = '';
    await fillCard(container, CARDS.visa);
    expect((await controller.current!.confirm()).status).toBe('succeeded');
  });

  it('answers a second confirm while the first runs with request_in_progress', async () => {
    const { container, controller } = await open();
    await fillCard(container, CARDS.visa);
    const [a, b] = await Promise.all([controller.current!.confirm(), controller.current!.confirm()]);
    expect(a.status).toBe('succeeded');
    expect(b).toMatchObject({ status: 'failed', error: { code: 'request_in_progress' } });
  });

  it('in no-code mode renders its own button, and a submit confirms and reports `complete`', async () => {
    const { container, events } = await open({}, { submitButton: true });
    const button = container.querySelector<HTMLButtonElement>('.cv-submit')!;
    expect(button.type).toBe('submit');
    expect(button.textContent).toBe('Pay $19.99');
    await fillCard(container, CARDS.visa);
    container.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await tick(50);
    expect(events.find((e) => e.type === 'complete')).toMatchObject({ type: 'complete', result: { status: 'succeeded' } });
  });

  it('renders no button of its own outside no-code mode', async () => {
    const { container } = await open();
    expect(container.querySelector('button[type="submit"]')).toBeNull();
  });
});

describe('3-D Secure', () => {
  async function challenged() {
    const m = await open({ customer: fresh('3ds') });
    await fillCard(m.container, CARDS.challenge);
    const pending = m.controller.current!.confirm();
    // The challenge shows once the vault has answered the confirm: on a busy machine that takes a while.
    const frame = await vi.waitFor(
      () => m.container.querySelector<HTMLIFrameElement>('iframe.cv-challenge-frame') ?? Promise.reject(new Error('no challenge yet')),
      {
        timeout: 5000,
        interval: 10,
      },
    );
    // The nested page is not loaded in unit tests: a stand-in plays its window.
    const page = { postMessage() {} };
    Object.defineProperty(frame, 'contentWindow', { value: page });
    const id = new URL(frame.src).pathname.split('/').pop()!;
    const say = (status: string, from: { origin?: string; source?: unknown; challenge?: string } = {}) =>
      window.dispatchEvent(
        new MessageEvent('message', {
          origin: from.origin ?? VAULT,
          source: (from.source ?? page) as MessageEventSource,
          data: { type: 'checkout:3ds', challenge: from.challenge ?? id, status },
        }),
      );
    return { ...m, pending, frame, id, say };
  }

  it("shows the vault's challenge page inside the fields, and pays once it passed", async () => {
    const c = await challenged();
    expect(c.frame.src).toBe(`${VAULT}/frame/3ds/${c.id}`);
    expect(c.frame.title).toBe('Confirm the payment with your bank');
    expect(c.frame.getAttribute('sandbox')).toBe('allow-scripts allow-forms allow-same-origin allow-popups allow-popups-to-escape-sandbox');
    expect(c.container.querySelector('#cv-number')).toBeNull();

    expect((await frameCall(v, `/frame/v1/challenges/${c.id}`, c.secret, { code: '123456' })).body.status).toBe('passed');
    c.say('passed');
    const result = await c.pending;
    expect(result).toMatchObject({ status: 'succeeded', charge: expect.stringMatching(/^ch_/), card: { last4: '3220' } });
    const last = JSON.parse(net.sent.filter((r) => r.url.endsWith('/frame/v1/confirm')).at(-1)!.body);
    expect(last).toMatchObject({ challenge: c.id, card: { number: CARDS.challenge } });
  });

  it('ignores a verdict from another origin, another window or another challenge', async () => {
    const c = await challenged();
    await frameCall(v, `/frame/v1/challenges/${c.id}`, c.secret, { code: '123456' });
    let settled = false;
    void c.pending.then(() => (settled = true));
    c.say('passed', { origin: SHOP });
    c.say('passed', { source: window });
    c.say('passed', { source: { postMessage() {} } });
    c.say('passed', { challenge: 'chl_other' });
    await tick(30);
    expect(settled).toBe(false);
    expect(c.container.querySelector('iframe.cv-challenge-frame')).not.toBeNull();
    c.say('passed');
    expect((await c.pending).status).toBe('succeeded');
  });

  it('returns to the form with an error when the challenge fails', async () => {
    const c = await challenged();
    c.say('failed');
    expect(await c.pending).toEqual({ status: 'failed', error: { type: 'card_error', code: 'authentication_required', message: expect.any(String) } });
    await tick();
    expect(c.container.querySelector('iframe')).toBeNull();
    expect($(c.container, '#cv-number').value).toBe('4000 0000 0000 3220');
    expect(c.container.querySelector('#cv-notice')?.textContent).toBe('The payment failed. Check the details or use another card.');
  });

  it('stops listening for the verdict once the fields are gone', async () => {
    const c = await challenged();
    c.unmount();
    mounted = mounted.filter((m) => m.container !== c.container);
    let settled = false;
    void c.pending.then(() => (settled = true));
    c.say('passed');
    await tick(10);
    expect(settled).toBe(false);
    expect(c.controller.current).toBeUndefined();
  });
});

describe('a session that cannot be shown', () => {
  it('says so and reports the error instead of `ready`', async () => {
    const s = await openSession(v, {});
    const m = await mountApp(`${s.secret}x`);
    mounted.push(m);
    expect(m.outcome).toEqual({ ok: false, error: { type: 'invalid_request_error', code: 'resource_missing', message: expect.any(String) } });
    expect(m.container.textContent).toBe('This payment page has expired. Please start again.');
    expect(await m.controller.current!.confirm()).toMatchObject({ status: 'failed', error: { code: 'resource_missing' } });
  });

  it('refuses a session that is already complete', async () => {
    const s = await openSession(v, {});
    await frameCall(v, '/frame/v1/confirm', s.secret, { card: { number: CARDS.visa, exp_month: 12, exp_year: 2040, cvc: '123' } });
    const m = await mountApp(s.secret);
    mounted.push(m);
    expect(m.outcome).toMatchObject({ ok: false, error: { code: 'session_expired' } });
  });
});
