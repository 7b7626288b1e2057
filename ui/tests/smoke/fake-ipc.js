// Test double of the Rust side (the Tauri IPC), for tests/smoke only: NOT part of the
// app bundle. Simplified rules, just enough to drive every screen; the real
// computations are Rust's.
(() => {
  const uuid = () => crypto.randomUUID();
  const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const today = '2026-11-23';
  let seqReceipt = 0;
  const S = {
    initialized: !!window.__FAKE_INIT__,
    lang: 'fr',
    union: 'Union de démonstration', agent: 'Awa Traoré',
    coops: [{ id: 'c1', code: 'DIO', name: 'Coopérative de Dioro', village: 'Dioro' },
            { id: 'c2', code: 'MRK', name: 'Coopérative de Markala', village: 'Markala' }],
    warehouses: { c1: [{ id: 'w1', name: 'Magasin de Dioro' }], c2: [{ id: 'w2', name: 'Magasin A' }, { id: 'w3', name: 'Magasin B' }] },
    members: [
      { id: 'm1', number: 'DIO-0001', full_name: 'Awa Traoré', village: 'Dioro', phone: '+22376123456', cooperative_id: 'c1', sex: 'f', birth_year: 1980, crops: ['dry_cereals'] },
      { id: 'm2', number: 'DIO-0002', full_name: 'Moussa Coulibaly', village: 'Dioro', phone: null, cooperative_id: 'c1', sex: 'm', birth_year: 1975, crops: ['dry_cereals', 'rice'] },
      { id: 'm3', number: 'MRK-0001', full_name: 'Fatoumata Diarra', village: 'Markala', phone: '+22366554433', cooperative_id: 'c2', sex: 'f', birth_year: null, crops: [] },
    ],
    campaign: { id: 'k1', name: 'Céréales sèches 2026/27', family: 'dry_cereals', family_label: 'Céréales sèches',
      crops: [{ crop: 'millet', label: 'Mil', base_price: '200' }, { crop: 'sorghum', label: 'Sorgho', base_price: '190' }, { crop: 'maize', label: 'Maïs', base_price: '175' }],
      advance_share: '0.6', contract_from: '2026-05-01', contract_to: '2026-07-31', delivery_from: '2026-10-15', delivery_to: '2027-01-31',
      max_moisture: '14', max_impurity: '2', bag_tare_kg: '0.5', over_delivery_bought: false },
    contracts: [
      { id: 'k-a', member_id: 'm1', crop: 'millet', committed_kg: '1000', state: 'approved', disbursed: 0, accepted: 0 },
      { id: 'k-b', member_id: 'm2', crop: 'sorghum', committed_kg: '2000', state: 'requested', disbursed: 0, accepted: 0 },
    ],
    disbursements: [], deliveries: [], distributions: [], needs: [], receipts: {},
    products: [{ id: 'p1', name: 'Urée', bag_weight_kg: '50', price_per_bag: '15000' }, { id: 'p2', name: 'NPK 15-15-15', bag_weight_kg: '50', price_per_bag: '17500' }],
    pending: 3,
    // The lock: `open` unless a test sets window.__FAKE_VAULT__ ('new', 'locked'…) before the page.
    vault: window.__FAKE_VAULT__ ?? 'open',
    accounts: [{ id: 'acc-1', label: 'Awa', agent_id: 'ag-1', agent_name: 'Awa Traoré', role_label: 'Comité technique' }],
    idle: 10,
  };
  const err = (code, message, field = null) => { throw { code, message, field }; };
  const stateLabel = { requested: 'Demandé', approved: 'Approuvé', rejected: 'Rejeté', disbursed: 'Avance versée', delivering: 'En livraison' };
  const coopName = (id) => S.coops.find((c) => c.id === id).name;
  const gone = { left: 'Parti', deceased: 'Décédé', excluded: 'Exclu', transferred: 'Transféré' };
  const summary = (m) => ({ id: m.id, number: m.number, full_name: m.full_name, village: m.village, phone: m.phone, cooperative_id: m.cooperative_id, cooperative_name: coopName(m.cooperative_id),
    status: m.status ?? 'active', status_label: gone[m.status] ?? 'Actif', active: !m.status || m.status === 'active', left_on: m.left_on ?? null });
  const price = (crop) => Number(S.campaign.crops.find((c) => c.crop === crop).base_price);
  const cropLabel = (crop) => S.campaign.crops.find((c) => c.crop === crop).label;
  const due = (c) => Math.round(0.6 * price(c.crop) * Number(c.committed_kg));
  const cview = (c) => ({ id: c.id, member_id: c.member_id, campaign_id: 'k1', campaign_name: S.campaign.name, crop: c.crop, crop_label: cropLabel(c.crop),
    committed_kg: c.committed_kg, base_price: String(price(c.crop)), state: c.state, state_label: stateLabel[c.state] ?? c.state,
    advance_due: String(due(c)), disbursed: String(c.disbursed), accepted_kg: String(c.accepted), value: String(Math.round(c.accepted * price(c.crop))) });
  const status = () => ({ initialized: S.initialized, union_name: S.initialized ? S.union : null, agent_name: S.initialized ? S.agent : null,
    role: S.initialized ? 'ctc' : null, role_label: S.initialized ? (S.lang === 'fr' ? 'Comité technique' : 'Technical committee') : null,
    device_label: S.initialized ? "Portable d'Awa" : null, may_approve: true, may_write: true, may_configure: false, lang: S.lang, campaigns: S.initialized ? [S.campaign] : [], today, receipts_dir: '/home/awa/.local/share/sene/recus',
    encrypted: true, account_label: 'Awa', idle_lock_minutes: S.idle });
  const vaultView = () => ({ state: S.vault, accounts: S.vault === 'new' ? [] : S.accounts, store_path: '/home/awa/.local/share/sene/sene.sqlite', problem: null });
  const isLocked = () => S.vault !== 'open';
  const GATE = new Set(['vault_status', 'create_vault', 'encrypt_store', 'sign_in', 'recover', 'lock', 'plugin:event|listen', 'plugin:event|unlisten']);
  const RECOVERY_KEY = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ-2345';
  const weak = (p) => (p.trim().length < 8 ? 'phrase secrète trop faible : au moins 8 caractères' : null);
  const mkReceipt = (kind, title, m, lines, amount, cancels = null) => {
    seqReceipt += 1;
    const id = uuid();
    const r = { kind, id, number: `AWA-${String(seqReceipt).padStart(6, '0')}`, title, date: today, union_name: S.union, cooperative: coopName(m.cooperative_id),
      member: m.full_name, member_number: m.number, agent: S.agent, lines: lines.map(([label, value]) => ({ label, value })), amount: String(amount), amount_words: '', cancels,
      pdf_path: `/home/awa/.local/share/sene/recus/AWA-${String(seqReceipt).padStart(6, '0')}.pdf`, member_id: m.id };
    S.receipts[id] = r;
    return r;
  };
  const preview = (req) => {
    const c = S.contracts.find((x) => x.id === req.contract_id);
    const net = Number(req.gross_kg) - req.bags * 0.5;
    if (net <= 0) err('invalid_value', 'Le poids net doit être positif.', 'gross_kg');
    const ex = Math.max(0, Number(req.moisture) - 14) + Math.max(0, Number(req.impurity) - 2);
    const acc = Math.round(net * (1 - ex / 100) * 10) / 10;
    return { net_kg: String(Math.round(net * 10) / 10), accepted_kg: String(acc), value: String(Math.round(acc * price(c.crop))), over_committed: c.accepted + acc > Number(c.committed_kg) };
  };
  const listeners = {};
  let cbId = 0;
  const emit = (event, payload) => { for (const cb of listeners[event] ?? []) window[`_${cb}`]?.({ event, id: 1, payload }); };
  const H = {
    vault_status: () => vaultView(),
    create_vault: async ({ req }) => {
      if (req.passphrase !== req.confirm) err('invalid_value', 'confirmation : les deux phrases secrètes diffèrent', 'confirm');
      const w = weak(req.passphrase); if (w) err('invalid_value', w, 'passphrase');
      await new Promise((r) => setTimeout(r, 500));
      S.vault = 'open'; S.accounts = [{ id: 'acc-1', label: req.label, agent_id: null, agent_name: null, role_label: null }];
      return { recovery_key: RECOVERY_KEY, status: status() };
    },
    sign_in: async ({ req }) => {
      await new Promise((r) => setTimeout(r, 300));
      if (req.passphrase !== 'mil et sorgho') err('wrong_passphrase', 'phrase secrète incorrecte : rien n’a été ouvert ni modifié');
      S.vault = 'open'; return status();
    },
    lock: () => { S.vault = 'locked'; return vaultView(); },
    list_accounts: () => S.accounts,
    set_idle_lock: ({ req }) => (req.minutes > 240 ? err('invalid_value', 'minutes : au plus 240 minutes', 'minutes') : ((S.idle = req.minutes), status())),
    app_status: () => status(),
    set_lang: ({ req }) => { S.lang = req.lang; return status(); },
    init_union: ({ req }) => { S.initialized = true; S.union = req.union_name; S.agent = req.agent_name; return status(); },
    load_demo: async () => {
      for (const step of ['Union et coopératives', 'Membres', 'Contrats']) { emit('demo-progress', { step, done: 0, total: 0 }); await new Promise((r) => setTimeout(r, 270)); }
      S.initialized = true; return status();
    },
    enroll: ({ req }) => (req.device_id ? err('network', `Le bureau ${req.hub_url} ne répond pas.`, 'adresse du hub') : err('internal', 'device_id manquant')),
    list_cooperatives: () => S.coops.map((c) => ({ ...c, member_count: S.members.filter((m) => m.cooperative_id === c.id).length })),
    list_warehouses: ({ req }) => S.warehouses[req.cooperative_id] ?? [],
    search_members: ({ req }) => S.members.filter((m) => (!req.cooperative_id || m.cooperative_id === req.cooperative_id) &&
      (!req.query || fold(m.full_name).includes(fold(req.query)) || m.number.includes(req.query.toUpperCase()) || (m.phone ?? '').includes(req.query.replace(/\s/g, '')))).map(summary),
    member_card: ({ req }) => {
      const m = S.members.find((x) => x.id === req.member_id) ?? err('not_found', 'Membre introuvable');
      const cs = S.contracts.filter((c) => c.member_id === m.id);
      const adv = S.disbursements.filter((d) => d.member_id === m.id && !d.reversed).reduce((a, d) => a + d.amount, 0);
      const fert = S.distributions.filter((d) => d.member_id === m.id && !d.reversed).reduce((a, d) => a + d.amount - d.cash_paid, 0);
      const val = cs.reduce((a, c) => a + Math.round(c.accepted * price(c.crop)), 0);
      return { member: summary(m), sex: m.sex, birth_year: m.birth_year, crops: m.crops, contracts: cs.map(cview),
        disbursements: S.disbursements.filter((d) => d.member_id === m.id).map((d) => ({ id: d.id, date: today, amount: String(d.amount), receipt: d.receipt, reversed: d.reversed, contract_id: d.contract_id })),
        deliveries: S.deliveries.filter((d) => d.member_id === m.id).map((d) => ({ ...d.view, voided: d.voided })),
        payments: [],
        distributions: S.distributions.filter((d) => d.member_id === m.id).map((d) => ({ id: d.id, date: today, product_name: d.product_name, bags: d.bags, amount: String(d.amount), cash_paid: String(d.cash_paid), receipt: d.receipt, reversed: d.reversed })),
        balances: cs.length ? [{ campaign_id: 'k1', campaign_name: S.campaign.name, contracts_value: String(val), advances: String(adv), fees: '0', fertilizer: String(fert), net: String(val - adv - fert), paid: '0' }] : [],
        receipts: Object.values(S.receipts).filter((r) => r.member_id === m.id).map((r) => ({ kind: r.kind, id: r.id, number: r.number, date: r.date, title: r.title })),
        nina: m.nina ?? null, registered_on: null, may_contract: summary(m).active, may_depart: summary(m).active,
        may_reinstate: !summary(m).active && m.status !== 'transferred', moved_to: null, moved_from: null };
    },
    member_history: ({ req }) => (S.history ?? []).filter((h) => h.member_id === req.member_id),
    correct_member: ({ req }) => {
      const m = S.members.find((x) => x.id === req.member_id) ?? err('not_found', 'Membre introuvable');
      if (!req.reason || req.reason.trim().length < 3) err('invalid_value', 'motif : obligatoire', 'motif');
      const changes = [];
      for (const f of ['number', 'full_name', 'sex', 'village', 'phone', 'nina']) {
        if (req[f] !== undefined) { changes.push({ field: f, label: f, old: m[f] ?? null, new: req[f] || null }); m[f] = req[f] || null; }
      }
      const change = { id: uuid(), at: `${today}T09:00:00Z`, action: 'correct', action_label: 'Correction', effective_on: null, changes, reason: req.reason, agent: S.agent, device: "Portable d'Awa", record: m.number, member_id: m.id };
      (S.history ??= []).push(change); S.pending++;
      return { change, member: summary(m), look_alikes: [] };
    },
    member_departed: ({ req }) => {
      const m = S.members.find((x) => x.id === req.member_id); m.status = req.status; m.left_on = req.on;
      const change = { id: uuid(), at: `${today}T09:00:00Z`, action: 'depart', action_label: 'Départ', effective_on: req.on, changes: [{ field: 'status', label: 'statut', old: 'Actif', new: gone[req.status] }], reason: req.reason, agent: S.agent, device: "Portable d'Awa", record: m.number, member_id: m.id };
      (S.history ??= []).push(change); S.pending++; return change;
    },
    reinstate_member: ({ req }) => {
      const m = S.members.find((x) => x.id === req.member_id); const was = m.status; m.status = 'active'; m.left_on = null;
      const change = { id: uuid(), at: `${today}T09:00:00Z`, action: 'reinstate', action_label: 'Réintégration', effective_on: null, changes: [{ field: 'status', label: 'statut', old: gone[was], new: 'Actif' }], reason: req.reason, agent: S.agent, device: "Portable d'Awa", record: m.number, member_id: m.id };
      (S.history ??= []).push(change); S.pending++; return change;
    },
    check_member: ({ req }) => S.members.filter((m) => fold(m.full_name) === fold(req.full_name) || (req.phone && m.phone === req.phone)).map(summary),
    register_member: ({ req }) => {
      if (S.members.some((m) => m.number === req.number && m.cooperative_id === req.cooperative_id)) err('duplicate_member_number', `Le numéro ${req.number} existe déjà dans cette coopérative.`, 'number');
      const d = H.check_member({ req });
      if (d.length && !req.confirmed) err('probable_duplicate', `Doublon probable : ${d.map((x) => x.full_name).join(', ')}`);
      const m = { ...req, id: uuid() }; S.members.push(m); S.pending++; return summary(m);
    },
    request_contract: ({ req }) => { const c = { id: uuid(), member_id: req.member_id, crop: req.crop, committed_kg: req.committed_kg, state: 'requested', disbursed: 0, accepted: 0 }; S.contracts.push(c); S.pending++; return cview(c); },
    decide_contract: ({ req }) => { const c = S.contracts.find((x) => x.id === req.contract_id); c.state = req.approve ? 'approved' : 'rejected'; return cview(c); },
    disburse: ({ req }) => {
      const c = S.contracts.find((x) => x.id === req.contract_id);
      if (c.disbursed + Number(req.amount) > due(c)) err('above_available', `montant : ${req.amount} FCFA demandés, ${due(c) - c.disbursed} FCFA disponibles`, 'montant');
      const m = S.members.find((x) => x.id === c.member_id);
      c.disbursed += Number(req.amount); c.state = 'disbursed';
      const r = mkReceipt('disbursement', "Reçu d'avance sur contrat", m, [['Contrat', `${cropLabel(c.crop)} — ${c.committed_kg} kg`], ['Mode', req.mode]], req.amount);
      S.disbursements.push({ id: r.id, member_id: m.id, contract_id: c.id, amount: Number(req.amount), receipt: r.number, reversed: false, kind: 'disbursement' });
      S.pending++; return r;
    },
    preview_delivery: ({ req }) => preview(req),
    record_delivery: ({ req }) => {
      const p = preview(req); const c = S.contracts.find((x) => x.id === req.contract_id); const m = S.members.find((x) => x.id === c.member_id);
      c.accepted += Number(p.accepted_kg); c.state = 'delivering';
      const r = mkReceipt('delivery', 'Reçu de livraison', m, [['Sacs', String(req.bags)], ['Poids brut', `${req.gross_kg} kg`], ['Humidité', `${req.moisture} %`], ['Poids accepté', `${p.accepted_kg} kg`]], p.value);
      S.deliveries.push({ member_id: m.id, voided: false, id: r.id, view: { id: r.id, date: today, contract_id: c.id, crop_label: cropLabel(c.crop), bags: Number(req.bags), gross_kg: req.gross_kg, net_kg: p.net_kg, accepted_kg: p.accepted_kg, receipt: r.number } });
      return r;
    },
    list_products: () => S.products,
    add_need: ({ req }) => { S.needs.push(req); return null; },
    distribute: ({ req }) => {
      const p = S.products.find((x) => x.id === req.product_id); const m = S.members.find((x) => x.id === req.member_id);
      const amount = req.bags * Number(p.price_per_bag);
      if (Number(req.cash_paid) > amount) err('invalid_value', 'Le montant payé dépasse le coût des sacs.', 'cash_paid');
      const r = mkReceipt('distribution', "Reçu de remise d'engrais", m, [['Produit', p.name], ['Sacs', String(req.bags)]], amount);
      S.distributions.push({ id: r.id, member_id: m.id, product_name: p.name, bags: Number(req.bags), amount, cash_paid: Number(req.cash_paid), receipt: r.number, reversed: false });
      return r;
    },
    reverse: ({ req }) => {
      const t = [...S.disbursements, ...S.distributions].find((x) => x.id === req.target_id) ?? S.deliveries.find((x) => x.id === req.target_id);
      if (t.reversed || t.voided) err('already_reversed', 'Déjà annulé');
      const orig = S.receipts[req.target_id]; const m = S.members.find((x) => x.id === orig.member_id);
      if (req.kind === 'delivery') t.voided = true; else t.reversed = true;
      if (req.kind === 'disbursement') { const c = S.contracts.find((x) => x.id === t.contract_id); c.disbursed -= t.amount; }
      return mkReceipt('reversal', 'Contre-passation', m, [['Motif', req.reason]], '-' + orig.amount, orig.number);
    },
    receipt: ({ req }) => S.receipts[req.id] ?? err('not_found', 'Reçu introuvable'),
    collection_sheet: ({ req }) => {
      const rows = S.contracts.filter((c) => S.members.find((m) => m.id === c.member_id).cooperative_id === req.cooperative_id).map((c) => {
        const m = S.members.find((x) => x.id === c.member_id);
        return { member_id: m.id, number: m.number, full_name: m.full_name, crop_label: cropLabel(c.crop), committed_kg: c.committed_kg, delivered_kg: String(c.accepted), remaining_kg: String(Number(c.committed_kg) - c.accepted), advance: String(c.disbursed) };
      });
      const sum = (k) => String(rows.reduce((a, r) => a + Number(r[k]), 0));
      return { cooperative: coopName(req.cooperative_id), campaign: S.campaign.name, rows, totals: { committed_kg: sum('committed_kg'), delivered_kg: sum('delivered_kg'), remaining_kg: sum('remaining_kg'), advance: sum('advance') } };
    },
    agent_cash: () => { const paid = S.disbursements.filter((d) => !d.reversed).reduce((a, d) => a + d.amount, 0); const fc = S.distributions.filter((d) => !d.reversed).reduce((a, d) => a + d.cash_paid, 0); return { received: '1000000', paid_out: String(paid), fertilizer_cash: String(fc), to_return: String(1000000 - paid + fc) }; },
    sync_status: () => ({ enrolled: true, last_sync_at: '2026-11-20T17:42:00Z', hub_url: 'http://192.168.1.10:8750', pending_changes: S.pending, open_conflicts: 1 }),
    sync_now: async () => {
      for (let i = 1; i <= 4; i++) { await new Promise((r) => setTimeout(r, 250)); emit('sync-progress', { step: ['Envoi', 'Envoi', 'Réception', 'Fin'][i - 1], done: i, total: 4 }); }
      const sent = S.pending; S.pending = 0; return { sent, received: 12, conflicts: 0, refused: [], message: 'Synchronisation terminée.' };
    },
    usb_export: ({ req }) => ({ path: req.path, bytes: 48213 }),
    usb_import: ({ req }) => req.path.includes('bad') ? err('sync_unauthentic', 'Fichier modifié ou d’une autre union : refusé.', 'chemin') : { sent: 0, received: 5, conflicts: 1, refused: [], message: 'Import terminé.' },
    list_conflicts: () => [{ id: 'x1', kind: 'fields', record: 'Membre Awa Traoré (DIO-0002)', field: 'modifié sur plusieurs appareils : téléphone', money: false, values: ['+22376000000 — Awa (agent de terrain), Portable Awa, le 21/11/2026 à 08:00 UTC', '+22366000000 — Salif (secrétariat), Bureau, le 21/11/2026 à 08:30 UTC'], member_ids: [], at: '2026-11-21T09:00:00Z' }],
    'plugin:event|listen': ({ event, handler }) => { (listeners[event] ??= []).push(handler); return handler; },
    'plugin:event|unlisten': () => null,
  };
  window.__FAKE_CALLS__ = [];
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener: () => {} };
  window.__TAURI_INTERNALS__ = {
    transformCallback(cb) { const id = ++cbId; window[`_${id}`] = cb; return id; },
    unregisterCallback(id) { delete window[`_${id}`]; },
    async invoke(cmd, args) {
      window.__FAKE_CALLS__.push([cmd, JSON.parse(JSON.stringify(args ?? {}))]);
      if (isLocked() && !GATE.has(cmd)) throw { code: 'locked', message: "l'application est verrouillée : connectez-vous", field: null };
      const h = H[cmd];
      if (!h) throw { code: 'internal', message: `commande inconnue ${cmd}`, field: null };
      await new Promise((r) => setTimeout(r, 30));
      return h(args ?? {});
    },
  };
})();
