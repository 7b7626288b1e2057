//! Property tests of the money rules: no panic and no silent overflow for any input, the 60/40
//! rule, and exact additivity of rounded lines.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use sene_domain::rules::*;
use sene_domain::*;

fn money() -> impl Strategy<Value = Money> {
    (-quantity::MONEY_LIMIT..=quantity::MONEY_LIMIT).prop_map(|f| Money::from_francs(f).unwrap())
}
fn kg() -> impl Strategy<Value = Kg> {
    (-quantity::KG_LIMIT_TENTHS..=quantity::KG_LIMIT_TENTHS)
        .prop_map(|t| Kg::from_tenths(t).unwrap())
}
fn pct() -> impl Strategy<Value = Percent> {
    (0i64..=1000).prop_map(|t| Percent::from_tenths(t).unwrap())
}
fn rate() -> impl Strategy<Value = Rate> {
    (0i64..=1_000_000).prop_map(|m| Rate::try_from_decimal(Decimal::new(m, 6)).unwrap())
}
fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..=3650)
        .prop_map(|d| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(d as u64))
}
fn fee() -> impl Strategy<Value = FeeModel> {
    prop_oneof![
        Just(FeeModel::None),
        rate().prop_map(|rate| FeeModel::Flat { rate }),
        rate().prop_map(|annual_rate| FeeModel::Interest { annual_rate }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every rule returns a value or an overflow error for any input; none panics.
    #[test]
    fn no_panic_for_any_input(
        share in rate(), price in money(), committed in kg(), gross in kg(), bags in any::<u32>(),
        tare in kg(), moist in pct(), imp in pct(), lim_m in pct(), lim_i in pct(),
        accepted in kg(), over in proptest::option::of(money()), model in fee(),
        disb in proptest::collection::vec((money(), date()), 0..6), when in date(),
        fert in proptest::collection::vec((any::<u32>(), money(), money()), 0..4),
        carried in money(),
        complements in proptest::collection::vec(money(), 0..3),
    ) {
        let limits = QualityLimits { max_moisture: lim_m, max_impurity: lim_i };
        let _ = advance_due(share, price, committed);
        if let Ok(net) = net_kg(gross, bags, tare) {
            if let Ok(a) = accepted_kg(net, moist, imp, limits) {
                prop_assert!(a >= Kg::ZERO);
            }
        }
        let value = contract_value(accepted, committed, price, over);
        let lines: Vec<FertilizerLine> = fert.into_iter()
            .map(|(bags, price_per_bag, cash_paid)| FertilizerLine { bags, price_per_bag, cash_paid })
            .collect();
        let input = SettlementInput {
            contract_values: value.into_iter().collect(),
            disbursements: disb, fee: model, settlement_date: when, fertilizer: lines,
            carried_debt: carried,
            complements,
        };
        if carried.is_negative() || input.complements.iter().any(|c| c.is_negative()) {
            // a negative carried debt or complement is refused, never counted
            prop_assert!(member_settlement(&input).is_err());
        }
        if let Ok(s) = member_settlement(&input) {
            // the net is exactly the difference of its lines
            let recomputed = s.delivered_value.checked_add(s.complement)
                .and_then(|x| x.checked_sub(s.advances)).and_then(|x| x.checked_sub(s.fees))
                .and_then(|x| x.checked_sub(s.fertilizer_credit))
                .and_then(|x| x.checked_sub(s.carried_debt));
            prop_assert_eq!(recomputed, Ok(s.net));
            prop_assert!(!s.carried_debt.is_negative());
            prop_assert!(!s.complement.is_negative());
        }
    }

    /// With the default 60 % advance, no fee and a full delivery of whole kg, the member is paid
    /// exactly 40 % of the contract's value.
    #[test]
    fn sixty_forty_leaves_exactly_forty_percent(price in 1i64..=10_000, kg_whole in 1i64..=500_000, d in date()) {
        let price = Money::from_francs(price).unwrap();
        let committed = Kg::from_kg(kg_whole).unwrap();
        let due = advance_due("0.60".parse().unwrap(), price, committed).unwrap();
        let value = contract_value(committed, committed, price, None).unwrap();
        let s = member_settlement(&SettlementInput {
            contract_values: vec![value], disbursements: vec![(due, d)], fee: FeeModel::None,
            settlement_date: d, fertilizer: vec![], carried_debt: Money::ZERO, complements: vec![],
        }).unwrap();
        let forty = Money::round_half_up(Decimal::new(4, 1) * value.as_decimal()).unwrap();
        prop_assert_eq!(s.net, forty);
        prop_assert_eq!(s.net.checked_add(due).unwrap(), value);
    }

    /// With a commitment in tenths of a kg the split is within one franc of 40 %, and the two
    /// parts always add up to the contract's value.
    #[test]
    fn sixty_forty_with_tenths_within_a_franc(price in 1i64..=10_000, tenths in 1i64..=5_000_000) {
        let price = Money::from_francs(price).unwrap();
        let committed = Kg::from_tenths(tenths).unwrap();
        let due = advance_due("0.6".parse().unwrap(), price, committed).unwrap();
        let value = contract_value(committed, committed, price, None).unwrap();
        let net = value.checked_sub(due).unwrap();
        let exact = Decimal::new(4, 1) * committed.as_decimal() * price.as_decimal();
        prop_assert!((net.as_decimal() - exact).abs() <= Decimal::ONE);
    }

    /// A settlement over several disbursements equals the sum of the per-disbursement
    /// interest lines: splitting the list never changes the total (rounding is per line).
    #[test]
    fn interest_is_additive_per_line(
        rate in rate(), when in date(),
        disb in proptest::collection::vec((1i64..=50_000_000, date()), 1..8),
    ) {
        let model = FeeModel::Interest { annual_rate: rate };
        let disb: Vec<(Money, NaiveDate)> = disb.into_iter().map(|(m, d)| (Money::from_francs(m).unwrap(), d)).collect();
        let total = fees(model, &disb, when).unwrap();
        let parts = Money::sum(disb.iter().map(|x| fees(model, std::slice::from_ref(x), when).unwrap())).unwrap();
        prop_assert_eq!(total, parts);
        prop_assert!(!total.is_negative());
    }

    /// A disbursement and its reversal cancel exactly: the settlement without the pair is the
    /// settlement of the remaining records, and the fertilizer credit of a line paid in full is 0.
    #[test]
    fn paid_in_full_fertilizer_costs_nothing(bags in 0u32..=2000, price in 0i64..=500_000) {
        let p = Money::from_francs(price).unwrap();
        let cost = Money::from_francs(price * i64::from(bags)).unwrap();
        let credit = fertilizer_credit(&[FertilizerLine { bags, price_per_bag: p, cash_paid: cost }]).unwrap();
        prop_assert_eq!(credit, Money::ZERO);
    }

    /// Accepted kg never exceed net kg, and grow with the net weight.
    #[test]
    fn accepted_never_exceeds_net(net in 0i64..=600_000, m in pct(), i in pct()) {
        let limits = QualityLimits { max_moisture: "14".parse().unwrap(), max_impurity: "2".parse().unwrap() };
        let net = Kg::from_tenths(net).unwrap();
        let a = accepted_kg(net, m, i, limits).unwrap();
        prop_assert!(a <= net);
        prop_assert!(a >= Kg::ZERO);
    }

    /// Money parses back from its French display.
    #[test]
    fn money_display_round_trips(f in -quantity::MONEY_LIMIT..=quantity::MONEY_LIMIT) {
        let m = Money::from_francs(f).unwrap();
        prop_assert_eq!(m.to_string().parse::<Money>(), Ok(m));
    }
}
