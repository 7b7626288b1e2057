//! Reading option values typed by people: dates, amounts, weights, percentages, rates, the
//! labelled enums (in French, English or by code, accents optional), ids, prices and fees.
//!
//! Values are taken as text by clap and read here, so that a mistake gets a French (or English)
//! message and exit code 1, like every other refusal, and `--json` still answers in JSON.

use std::str::FromStr;

use chrono::NaiveDate;
use sene_domain::ids::ParseIdError;
use sene_domain::validate::fold;
use sene_domain::*;

use crate::error::{CliError, CliResult};
use crate::lang::Labelled;

/// A date: `2026-10-15` (or `15/10/2026`).
pub fn date(flag: &str, s: &str) -> CliResult<NaiveDate> {
    let t = s.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .map_err(|_| {
            CliError::msg(
                "invalid_date",
                format!("{flag} : « {s} » n'est pas une date valide (attendu AAAA-MM-JJ, par exemple 2026-10-15)"),
                format!("{flag}: \"{s}\" is not a valid date (expected YYYY-MM-DD, e.g. 2026-10-15)"),
            )
        })
}

/// An optional date, today when absent.
pub fn date_or(flag: &str, s: Option<&str>, today: NaiveDate) -> CliResult<NaiveDate> {
    s.map_or(Ok(today), |s| date(flag, s))
}

/// A window `2026-05-01..2026-08-31`.
pub fn window(flag: &str, s: &str) -> CliResult<(NaiveDate, NaiveDate)> {
    let Some((a, b)) = s.split_once("..") else {
        return Err(CliError::msg(
            "invalid_argument",
            format!("{flag} : « {s} » : attendu DEBUT..FIN, par exemple 2026-05-01..2026-08-31"),
            format!("{flag}: \"{s}\": expected START..END, e.g. 2026-05-01..2026-08-31"),
        ));
    };
    Ok((date(flag, a)?, date(flag, b)?))
}

/// An amount in whole francs (`200000`, `200 000`, `200000 FCFA`).
pub fn money(flag: &str, s: &str) -> CliResult<Money> {
    Money::from_str(s).map_err(|e| CliError::value(flag, e))
}

/// A weight in kg, one decimal at most.
pub fn kg(flag: &str, s: &str) -> CliResult<Kg> {
    Kg::from_str(s).map_err(|e| CliError::value(flag, e))
}

/// A percentage in points (`14`, `14,5`).
pub fn percent(flag: &str, s: &str) -> CliResult<Percent> {
    Percent::from_str(s).map_err(|e| CliError::value(flag, e))
}

/// A rate as a fraction (`0.6`) or a percentage (`60%`).
pub fn rate(flag: &str, s: &str) -> CliResult<Rate> {
    Rate::from_str(s).map_err(|e| CliError::value(flag, e))
}

/// A whole count (bags).
pub fn count(flag: &str, s: &str) -> CliResult<u32> {
    s.trim().parse::<u32>().map_err(|_| {
        CliError::msg(
            "invalid_value",
            format!("{flag} : « {s} » n'est pas un nombre entier positif"),
            format!("{flag}: \"{s}\" is not a whole positive number"),
        )
    })
}

/// The style of a CSV export: `fr` (Excel in French: `;`, decimal comma) or `intl` (`,`, decimal
/// point); both UTF-8 with a byte order mark, see `sene_app::export`.
pub fn csv_style(flag: &str, s: &str) -> CliResult<sene_app::export::CsvStyle> {
    sene_app::export::CsvStyle::from_code(s).ok_or_else(|| {
        CliError::msg(
            "invalid_argument",
            format!("{flag} : « {s} » : attendu fr (Excel en français : « ; », virgule décimale) ou intl (« , », point décimal)"),
            format!("{flag}: \"{s}\": expected fr (Excel in French: ';', decimal comma) or intl (',', decimal point)"),
        )
    })
}

/// A record id (UUID).
pub fn id<T: FromStr<Err = ParseIdError>>(flag: &str, s: &str) -> CliResult<T> {
    s.parse::<T>().map_err(|_| {
        CliError::msg(
            "invalid_id",
            format!("{flag} : identifiant invalide « {s} » (attendu : un UUID)"),
            format!("{flag}: invalid id \"{s}\" (expected a UUID)"),
        )
    })
}

/// An optional record id.
pub fn opt_id<T: FromStr<Err = ParseIdError>>(flag: &str, s: Option<&str>) -> CliResult<Option<T>> {
    s.map(|s| id(flag, s)).transpose()
}

/// Reads a labelled value.
pub fn label<T: Labelled>(flag: &str, s: &str) -> CliResult<T> {
    let f = fold(s);
    if let Some(v) = T::all()
        .iter()
        .copied()
        .find(|v| fold(v.code()) == f || fold(v.fr()) == f || fold(v.en()) == f)
    {
        return Ok(v);
    }
    if let Some((_, v)) = T::aliases().iter().find(|(a, _)| *a == f) {
        return Ok(*v);
    }
    let fr: Vec<String> = T::all()
        .iter()
        .map(|v| format!("{} ({})", v.code(), v.fr()))
        .collect();
    let en: Vec<String> = T::all()
        .iter()
        .map(|v| format!("{} ({})", v.code(), v.en()))
        .collect();
    Err(CliError::msg(
        "invalid_value",
        format!(
            "{flag} : « {s} » inconnu ; valeurs possibles : {}",
            fr.join(", ")
        ),
        format!(
            "{flag}: unknown \"{s}\"; possible values: {}",
            en.join(", ")
        ),
    ))
}

/// A crop price `crop=200` or `crop=200:over=180` (the over-delivery price).
pub fn price(s: &str) -> CliResult<CropPrice> {
    let bad = || {
        CliError::msg(
            "invalid_argument",
            format!("--price : « {s} » : attendu CULTURE=PRIX ou CULTURE=PRIX:over=PRIX_SURPLUS, par exemple paddy_rice=200:over=180"),
            format!("--price: \"{s}\": expected CROP=PRICE or CROP=PRICE:over=OVER_PRICE, e.g. paddy_rice=200:over=180"),
        )
    };
    let (crop, rest) = s.split_once('=').ok_or_else(bad)?;
    let (base, over) = match rest.split_once(':') {
        Some((b, o)) => {
            let o = o.trim();
            let o = o
                .strip_prefix("over=")
                .or_else(|| o.strip_prefix("surplus="))
                .ok_or_else(bad)?;
            (b, Some(money("--price (surplus)", o)?))
        }
        None => (rest, None),
    };
    Ok(CropPrice {
        crop: label("--price", crop)?,
        base_price: money("--price", base)?,
        over_delivery_price: over,
    })
}

/// A fee model: `none`, `flat:0.02` (or `flat:2%`), `interest:0.10`.
pub fn fee(s: &str) -> CliResult<FeeModel> {
    let t = s.trim();
    let (kind, r) = t.split_once(':').unwrap_or((t, ""));
    match fold(kind).as_str() {
        "none" | "aucun" | "aucuns" | "sans" if r.is_empty() => Ok(FeeModel::None),
        "flat" | "forfait" | "fixe" => Ok(FeeModel::Flat {
            rate: rate("--fee", r)?,
        }),
        "interest" | "interet" | "interets" => Ok(FeeModel::Interest {
            annual_rate: rate("--fee", r)?,
        }),
        _ => Err(CliError::msg(
            "invalid_argument",
            format!("--fee : « {s} » : attendu none, flat:TAUX ou interest:TAUX_ANNUEL (par exemple flat:0.02, interest:10%)"),
            format!("--fee: \"{s}\": expected none, flat:RATE or interest:ANNUAL_RATE (e.g. flat:0.02, interest:10%)"),
        )),
    }
}

/// Splits `KEY=VALUE` (a sale-lot source `Magasin=1000`).
pub fn key_value<'a>(flag: &str, s: &'a str) -> CliResult<(&'a str, &'a str)> {
    s.rsplit_once('=').ok_or_else(|| {
        CliError::msg(
            "invalid_argument",
            format!("{flag} : « {s} » : attendu MAGASIN=KG"),
            format!("{flag}: \"{s}\": expected WAREHOUSE=KG"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_people_values() {
        assert!(date("--date", "2026-10-15").is_ok());
        assert!(date("--date", "15/10/2026").is_ok());
        assert_eq!(
            date("--date", "2026-13-01").map_err(|e| e.code()).err(),
            Some("invalid_date")
        );
        assert_eq!(label::<Crop>("--crop", "Maïs").ok(), Some(Crop::Maize));
        assert_eq!(
            label::<CropFamily>("--c", "cereales seches").ok(),
            Some(CropFamily::DryCereals)
        );
        assert_eq!(label::<Sex>("--sex", "H").ok(), Some(Sex::Male));
        assert!(label::<Crop>("--crop", "avoine").is_err());
        let p = price("paddy_rice=200:over=180").ok();
        assert_eq!(p.map(|p| p.base_price.francs()), Some(200));
        assert_eq!(
            p.and_then(|p| p.over_delivery_price).map(|m| m.francs()),
            Some(180)
        );
        assert!(matches!(fee("none"), Ok(FeeModel::None)));
        assert!(matches!(fee("interest:10%"), Ok(FeeModel::Interest { .. })));
        assert!(fee("flat").is_err());
        assert!(money("--amount", "1500.5").is_err());
        assert!(window("--w", "2026-05-01..2026-08-31").is_ok());
    }
}
