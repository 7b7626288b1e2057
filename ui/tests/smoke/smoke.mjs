// Front-end smoke test: the built UI (ui/dist) in headless Chromium at 1366×768,
// with the Tauri IPC replaced by the test double in fake-ipc.js. It checks the
// UI's logic and wiring only — never the Rust side (see README.md here).
import { chromium } from 'playwright-core';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIST = path.resolve(HERE, '../../dist');
const SHOTS = process.env.SHOTS ?? path.join(HERE, 'shots');
const FAKE = path.join(HERE, 'fake-ipc.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = http.createServer((req, res) => {
  const p = path.join(DIST, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  const f = fs.existsSync(p) && fs.statSync(p).isFile() ? p : path.join(DIST, 'index.html');
  res.writeHead(200, { 'content-type': types[path.extname(f)] ?? 'application/octet-stream' });
  fs.createReadStream(f).pipe(res);
}).listen(0);
const port = server.address().port;
fs.mkdirSync(SHOTS, { recursive: true });

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const fails = [];
const check = (cond, what) => { if (!cond) { fails.push(what); console.log('FAIL', what); } else console.log('ok  ', what); };

async function newPage(init, vault = null) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  if (init) await ctx.addInitScript(() => { window.__FAKE_INIT__ = true; });
  if (vault) await ctx.addInitScript((v) => { window.__FAKE_VAULT__ = v; }, vault);
  if (init !== 'none') await ctx.addInitScript({ path: FAKE });
  const page = await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.log('console.' + m.type(), m.text()); });
  page.on('pageerror', (e) => { console.log('PAGEERROR', e.message); fails.push('pageerror ' + e.message); });
  await page.goto(`http://localhost:${port}/`);
  return page;
}
const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
const text = async (page, sel) => (await page.textContent(sel))?.replace(/\u00a0/g, ' ').trim();

// 0. plain browser: no Tauri
{
  const page = await newPage('none');
  await page.waitForSelector('.error');
  check((await text(page, '.error')).includes('application Sene'), 'no-tauri message');
  await shot(page, '00-no-tauri');
}

// 1. first run
{
  const page = await newPage(false);
  await page.waitForSelector('#init-submit');
  await shot(page, '01-first-run');
  await page.click('#init-submit');
  check(await page.locator('#init-union-err').isVisible(), 'init: required errors shown');
  await page.fill('#enroll-hub', 'http://192.168.1.10:8750');
  await page.fill('#enroll-device', 'AWA');
  await page.fill('#enroll-code', 'K7Q2');
  await page.click('#enroll-submit');
  check(await page.isVisible('#enroll-device-err'), 'enroll: device id must be a UUID');
  await page.fill('#enroll-device', '0192f3a4-5b6c-7d8e-9f01-23456789abcd');
  await page.press('#enroll-code', 'Enter');
  await page.waitForSelector('#enroll-hub-err');
  check((await text(page, '#enroll-hub-err')).includes('ne répond pas'), 'enroll: Rust error on the named field (French label)');
  await page.click('#demo-load');
  check((await page.getAttribute('section[aria-labelledby=demo-title]', 'aria-busy')) === 'true', 'demo: aria-busy while loading');
  await page.waitForSelector('#demo-step');
  await shot(page, '02-demo-loading');
  await page.waitForSelector('#nav-members');
  check(await page.isVisible('#saved'), 'demo: saved banner');
  await shot(page, '03-after-demo');
}

// 2. members, card, contracts, disburse, delivery, reversal
{
  const page = await newPage(true);
  await page.waitForSelector('#nav-members');
  await page.fill('#member-search', 'traore');
  await page.waitForSelector('.member-result');
  check((await page.locator('.member-result').count()) === 1, 'search: traore finds Traoré');
  await page.click('.member-result');
  await page.waitForSelector('#member-card .contract-row');
  await shot(page, '10-member-card');
  check((await text(page, '#member-card')).includes('Femme'), 'card: sex from lowercase f');
  check((await text(page, '#member-card')).includes('Céréales sèches'), 'card: crop family label');
  // request a contract
  await page.click('#contract-request');
  await page.selectOption('#contract-crop', 'maize');
  await page.fill('#contract-kg', '-5');
  await page.click('#contract-submit');
  check(await page.isVisible('#contract-kg-err'), 'contract: negative kg refused');
  await page.fill('#contract-kg', '500');
  await page.press('#contract-kg', 'Enter');
  await page.waitForSelector('#saved');
  check((await text(page, '#saved')).includes('52 500 FCFA'), 'contract: advance due shown in banner: ' + await text(page, '#saved'));
  await page.waitForFunction(() => document.querySelectorAll('.contract-row').length === 2);
  check(await page.locator('.contract-row .contract-approve').count() === 1, 'contract: approve button on requested row');
  await page.click('.contract-approve');
  await page.waitForFunction(() => document.querySelectorAll('.contract-approve').length === 0);
  // disburse
  await page.click('.contract-row[data-contract-id="k-a"] .contract-disburse');
  await page.waitForSelector('#disb-amount');
  check(await page.inputValue('#disb-amount') === '120000', 'disburse: prefilled with due');
  await page.fill('#disb-amount', '1500,5');
  await page.click('#disb-submit');
  check(await page.isVisible('#disb-amount-err'), 'disburse: fractional refused');
  await page.fill('#disb-amount', '200000');
  await page.press('#disb-amount', 'Enter');
  await page.waitForSelector('#confirm-dialog');
  check((await text(page, '#confirm-dialog')).includes('200 000 FCFA (deux cent mille francs CFA) à Awa Traoré'), 'disburse: confirm text');
  await shot(page, '11-disburse-confirm');
  // focus trap
  for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
  check(await page.evaluate(() => !!document.activeElement?.closest('#confirm-dialog')), 'dialog: focus trapped');
  await page.click('#confirm-yes');
  await page.waitForSelector('.error');
  check((await text(page, '.error')).includes('disponibles'), 'disburse: Rust error shown');
  check(await page.isVisible('#disb-amount-err'), 'disburse: Rust error on the amount field');
  check(!(await page.isVisible('#saved')), 'disburse: no saved banner on error');
  await shot(page, '12-disburse-error');
  await page.fill('#disb-amount', '100000');
  await page.click('#disb-submit');
  await page.waitForSelector('#confirm-dialog');
  await page.keyboard.press('Escape');
  check(!(await page.isVisible('#confirm-dialog')), 'dialog: Escape closes');
  await page.click('#disb-submit');
  await page.click('#confirm-yes');
  await page.waitForSelector('#receipt');
  check(await page.isVisible('#saved'), 'disburse: saved banner');
  check((await text(page, '#receipt-number')) === 'AWA-000001', 'receipt: number');
  check((await text(page, '#receipt-words')) === 'cent mille francs CFA', 'receipt: words');
  check((await text(page, '#receipt')).includes('Mil — 1000 kg'), 'receipt: lines');
  await shot(page, '13-receipt');
  await page.emulateMedia({ media: 'print' });
  await shot(page, '14-receipt-print');
    await page.emulateMedia({ media: 'screen' });
  // back to card, deliver
  await page.click('#receipt-back');
  await page.waitForSelector('.contract-row[data-contract-id="k-a"] .contract-deliver');
  await page.click('.contract-row[data-contract-id="k-a"] .contract-deliver');
  await page.waitForSelector('#dlv-bags');
  await page.fill('#dlv-bags', '20');
  await page.fill('#dlv-gross', '1010');
  await page.fill('#dlv-moisture', '16');
  await page.fill('#dlv-impurity', '1');
  await page.waitForFunction(() => document.querySelector('#dlv-accepted')?.textContent?.includes('kg') && !document.querySelector('#dlv-accepted').textContent.includes('—'));
  check((await text(page, '#dlv-accepted')) === '980,0 kg', 'delivery: accepted kg from the preview');
  check((await text(page, '#dlv-value')) === '196 000 FCFA', 'delivery: value from the preview');
  await shot(page, '15-delivery');
  await page.fill('#dlv-moisture', '140');
  await page.click('#dlv-submit');
  check(await page.isVisible('#dlv-moisture-err'), 'delivery: bad percent refused');
  await page.fill('#dlv-moisture', '16');
  await page.click('#dlv-submit');
  await page.waitForSelector('#confirm-dialog');
  await shot(page, '16-delivery-confirm');
  await page.click('#confirm-yes');
  await page.waitForSelector('#receipt');
  await page.click('#receipt-back');
  // reversal of the disbursement
  await page.waitForSelector('.line-reverse');
  await page.click('.line-reverse');
  await page.waitForSelector('#reverse-dialog');
  await page.click('#reverse-submit');
  check(await page.isVisible('#reverse-reason-err'), 'reverse: reason mandatory');
  await page.fill('#reverse-reason', 'Erreur de montant');
  await page.press('#reverse-reason', 'Enter');
  await page.waitForSelector('#confirm-dialog');
  check((await text(page, '#confirm-dialog')).includes('Erreur de montant'), 'reverse: confirm shows reason');
  await page.click('#confirm-yes');
  await page.waitForSelector('#receipt');
  await shot(page, '17-reversal-receipt');
  await page.click('#receipt-back');
  await page.waitForSelector('#member-balance');
  await shot(page, '18-card-after');
  {
    const n0 = await page.evaluate(() => window.__FAKE_CALLS__.length);
    await page.waitForTimeout(1200);
    const n1 = await page.evaluate(() => window.__FAKE_CALLS__.length);
    check(n1 - n0 <= 1, `idle: no call loop (${n1 - n0} calls in 1.2 s)`);
  }
  // language
  await page.click('#lang-en');
  await page.waitForSelector('text=Cooperatives & members');
  await page.waitForTimeout(300);
  check(await page.evaluate(() => window.__FAKE_CALLS__.slice(-3).some((c) => c[0] === 'member_card')), 'lang: card reloaded for Rust labels');
  check(true, 'lang: English labels');
  await shot(page, '19-english');
  await page.click('#lang-fr');
  // keyboard nav
  await page.keyboard.press('Alt+2');
  await page.waitForSelector('#reg-number');
  check(true, 'Alt+2 opens register');
}

// 3. register with duplicates
{
  const page = await newPage(true);
  await page.waitForSelector('#nav-register');
  await page.click('#nav-register');
  await page.click('#reg-submit');
  await shot(page, '20-register-errors');
  await page.selectOption('#reg-coop', 'c1');
  await page.fill('#reg-number', 'dio-0099');
  await page.fill('#reg-name', 'Awa TRAORE');
  await page.selectOption('#reg-sex', 'F');
  await page.fill('#reg-village', 'Dioro');
  await page.fill('#reg-phone', '76 00 11 22');
  await page.click('#reg-submit');
  await page.waitForSelector('#dup-warning');
  await shot(page, '21-register-dup');
  await page.click('#dup-confirm');
  await page.waitForSelector('#saved');
  check((await text(page, '#saved')).includes('DIO-0099'), 'register: saved');
}

// 4. fertilizer, collection, cash, sync
{
  const page = await newPage(true);
  await page.waitForSelector('#nav-fertilizer');
  await page.click('#nav-fertilizer');
  await page.fill('#member-search', 'moussa');
  await page.click('.member-result');
  await page.selectOption('#fert-product', 'p1');
  await page.fill('#need-bags', '4');
  await page.press('#need-bags', 'Enter');
  await page.waitForSelector('#saved');
  await page.fill('#dist-bags', '2');
  await page.fill('#dist-cash', '-3');
  await page.click('#dist-submit');
  check(await page.isVisible('#dist-cash-err'), 'fertilizer: negative cash refused');
  await page.fill('#dist-cash', '10000');
  await page.click('#dist-submit');
  await page.waitForSelector('#confirm-dialog');
  await shot(page, '30-fert-confirm');
  await page.click('#confirm-yes');
  await page.waitForSelector('#receipt');
  await page.click('#nav-collection');
  await page.selectOption('#coll-coop', 'c1');
  await page.click('#coll-submit');
  await page.waitForSelector('#collection-sheet');
  await shot(page, '31-collection');
  await page.emulateMedia({ media: 'print' });
  await shot(page, '32-collection-print');
  await page.emulateMedia({ media: 'screen' });
  await page.click('#nav-cash');
  await page.waitForSelector('#cash-to-return');
  await shot(page, '33-cash');
  await page.click('#nav-sync');
  await page.waitForSelector('#sync-now');
  await page.click('#sync-now');
  await page.waitForSelector('#sync-progress');
  await page.waitForTimeout(600);
  await shot(page, '34-sync-progress');
  await page.waitForSelector('#sync-report');
  await page.fill('#usb-import-path', '/media/usb/bad.sene');
  await page.click('#usb-import');
  await page.waitForSelector('.error');
  await shot(page, '35-sync');
}

// 9. the gate: first passphrase, recovery key shown once, lock, sign-in
{
  const page = await newPage(false, 'new');
  await page.waitForSelector('#gate #vault-create');
  await shot(page, '40-gate-new');
  await page.fill('#vault-label', 'Awa');
  await page.fill('#vault-passphrase', 'court');
  await page.fill('#vault-confirm', 'court');
  await page.click('#vault-create');
  await page.waitForSelector('#vault-passphrase-err');
  check((await text(page, '#vault-passphrase-err')).includes('trop faible'), 'gate: weak passphrase on its field');
  await page.fill('#vault-passphrase', 'mil et sorgho');
  await page.fill('#vault-confirm', 'mil et sorgho');
  await page.click('#vault-create');
  await page.waitForSelector('#recovery-key');
  check((await text(page, '#recovery-key')) === 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ-2345', 'gate: the recovery key, exactly');
  check(await page.locator('#recovery-continue').isDisabled(), 'gate: continue waits for the checkbox');
  await shot(page, '41-recovery-key');
  await page.emulateMedia({ media: 'print' });
  await shot(page, '42-recovery-print');
  await page.emulateMedia({ media: 'screen' });
  await page.check('#recovery-noted');
  await page.click('#recovery-continue');
  await page.waitForSelector('#init-submit');
  check((await text(page, '#signed-in-as')) === 'Awa', 'header: who is signed in');
  await page.click('#lock-now');
  await page.waitForSelector('#gate #signin-submit');
  check((await page.inputValue('#signin-account')) === 'acc-1', 'sign-in: the only account is chosen');
  await page.fill('#signin-passphrase', 'pas la bonne');
  await page.click('#signin-submit');
  await page.waitForSelector('#gate .error');
  await shot(page, '43-signin-wrong');
  await page.fill('#signin-passphrase', 'mil et sorgho');
  await page.click('#signin-submit');
  await page.waitForSelector('#init-submit');
  check(!(await page.locator('#gate').count()), 'sign-in: the gate is gone');
}

await browser.close();
server.close();
console.log(fails.length ? `\n${fails.length} FAILURES` : '\nALL OK');
process.exit(fails.length ? 1 : 0);
